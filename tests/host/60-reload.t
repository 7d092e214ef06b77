# SIGHUP reloads without losing or repeating a message: the plugin file at
# the configured path is replaced by a new build (atomically, by rename),
# the master checks the new configuration, starts new workers with it and
# stops the old ones gracefully.  Messages sent around the reload are each
# processed exactly once; later ones use the new build.  A bad new
# configuration (a bad value, a plugin with the wrong ABI) is refused and
# the running one kept.
use strict;
use warnings;
use File::Copy qw(copy);
use FindBin;
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use Test::More;
use Time::HiRes qw(sleep);

my $tmp = tmpdir();
my $bucket = uniq('rlb');
create_bucket($bucket);
my $q = create_queue(uniq('reload'), visibility => 3);
my $qd = create_queue(uniq('reload-dlq'));

# The "new build": the same plugin, compiled as version 2.0.0.
my ($rc, $out) = run_cmd('cc', '-std=gnu11', '-shared', '-fPIC', '-DOK_VERSION="2.0.0"',
                         '-I' . root() . '/include', '-o', "$tmp/ok-v2.so", root() . '/tests/plugins/ok.c');
is($rc, 0, 'built version 2.0.0 of the ok plugin') or diag($out);
copy(plugin_path('ok'), "$tmp/plugin.so") or die "copy: $!";

my %route = (name => 'rl', queue_url => $q, dlq_url => $qd, plugin => "$tmp/plugin.so",
             plugin_params => { record => "$tmp/rec" }, visibility_timeout => 3, concurrency => 2,
             input => { buckets => [$bucket] }, output => { bucket => $bucket });
my $conf = write_config("$tmp/host.json", { workers => 2, shutdown_grace_seconds => 10, routes => [ {%route} ] });
my $log = "$tmp/host.log";
my $pid = start_host($conf, $log);
ok(wait_for(sub { my @s = host_log($log) =~ /worker started/g; @s == 2 }, 20), 'two workers started')
    or diag(host_log($log));

# send_batch(TAG, N): N messages for originals in/TAG-i.jpg.
sub send_batch {
    my ($tag, $n) = @_;
    for my $i (1 .. $n) {
        put_object($bucket, "in/$tag-$i.jpg", "$tag-$i", 'image/jpeg');
        send_message($q, prism_event($bucket, "in/$tag-$i.jpg"));
    }
}
# versions(TAG, N): the plugin version that processed each in/TAG-i.jpg.
sub versions {
    my ($tag, $n) = @_;
    return map { my $i = get_object($bucket, "in/$tag-$_/rl/info.txt") // '';
                 $i =~ /plugin_version=(\S+)/ ? $1 : 'none' } 1 .. $n;
}
sub all_done { my ($tag, $n) = @_; return !grep { $_ eq 'none' } versions($tag, $n) }

send_batch('before', 5);
ok(wait_for(sub { all_done('before', 5) }, 15), 'before the reload: all processed');
is_deeply([versions('before', 5)], [('1.0.0') x 5], 'before the reload: version 1.0.0');

# Swap the plugin file atomically and reload while messages keep coming.
copy("$tmp/ok-v2.so", "$tmp/plugin.so.new") or die;
rename("$tmp/plugin.so.new", "$tmp/plugin.so") or die;
send_batch('around', 5);
kill('HUP', $pid);
send_batch('around2', 5);
ok(wait_log($log, qr/reloaded: 2 new worker\(s\)/, 15), 'SIGHUP: reloaded') or diag(host_log($log));
ok(wait_for(sub { my @e = host_log($log) =~ /worker \d \(pid \d+\) exited with status 0/g; @e == 2 }, 20),
   'the two old workers finished and exited 0');
ok(wait_for(sub { all_done('around', 5) && all_done('around2', 5) }, 20),
   'messages sent around the reload: none lost');

send_batch('after', 5);
ok(wait_for(sub { all_done('after', 5) }, 15), 'after the reload: all processed');
is_deeply([versions('after', 5)], [('2.0.0') x 5], 'after the reload: the new build');
ok(wait_for(sub { queue_depth($q) == 0 }, 10), 'the queue is empty');

my %calls;
my $rec = host_log("$tmp/rec");
$calls{$1}++ while $rec =~ /^process (\S+) \d+$/mg;
is(scalar keys %calls, 20, 'twenty originals processed');
is_deeply([grep { $calls{$_} != 1 } sort keys %calls], [], 'each exactly once');

# A bad configuration is refused; the running one stays.
write_config($conf, { workers => 0, routes => [ {%route} ] });
kill('HUP', $pid);
ok(wait_log($log, qr/reload failed: workers: expected integer 1\.\.256, got 0; keeping the current configuration/, 10),
   'a bad value is refused with its key path');
write_config($conf, { workers => 2, routes => [ { %route, plugin => plugin_path('bad_abi') } ] });
kill('HUP', $pid);
ok(wait_log($log, qr/reload failed: routes\[0\]\.plugin: .*plugin ABI version 3, this prism-host speaks version 2[^\n]*keeping the current configuration/, 10),
   'a plugin with the wrong ABI is refused (checked outside the master)');
send_batch('kept', 2);
ok(wait_for(sub { all_done('kept', 2) }, 15), 'the running configuration keeps working');
is_deeply([versions('kept', 2)], [('2.0.0') x 2], 'with the plugin it had');
my @started = host_log($log) =~ /worker started/g;
is(scalar @started, 4, 'no workers were started by the refused reloads');

is(stop_host($pid, 'TERM', 30), 0, 'SIGTERM: exit 0');
memcheck($log);
done_testing();
