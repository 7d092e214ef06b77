# SIGTERM while a plugin is working: polling stops (the long polls are
# cancelled, no waiting 20 s), the message in hand finishes, its output is
# stored and it is deleted, and prism-host exits 0 and removes its pid
# file.  When shutdown_grace_seconds runs out first, the worker exits
# anyway and the unfinished message returns to the queue.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use Test::More;
use Time::HiRes qw(time);

my $tmp = tmpdir();
my $bucket = uniq('stb');
create_bucket($bucket);
put_object($bucket, 'in/term.jpg', 'term-bytes', 'image/jpeg');
put_object($bucket, 'in/late.jpg', 'late-bytes', 'image/jpeg');
my $q = create_queue(uniq('term'), visibility => 30);
my $qidle = create_queue(uniq('term-idle'), visibility => 30);
my $qd = create_queue(uniq('term-dlq'));

sub config {
    my ($file, $seconds, $grace) = @_;
    return write_config($file, {
        workers => 1, shutdown_grace_seconds => $grace, pid_file => "$tmp/prism.pid",
        routes => [
            { name => 'term', queue_url => $q, dlq_url => $qd, plugin => plugin_path('slow'),
              plugin_params => { record => "$tmp/rec", seconds => $seconds }, visibility_timeout => 30,
              input => { buckets => [$bucket] }, output => { bucket => $bucket } },
            { name => 'idle', queue_url => $qidle, dlq_url => $qd, plugin => plugin_path('ok'),
              input => { buckets => [$bucket] }, output => { bucket => $bucket } } ] });
}

my $log = "$tmp/host.log";
my $pid = start_host(config("$tmp/host.json", 3, 20), $log);
ok(wait_log($log, qr/worker started/, 20), 'worker started') or diag(host_log($log));
ok(wait_for(sub { host_log("$tmp/prism.pid") eq "$pid\n" }, 5), 'pid file holds the master pid');

send_message($q, prism_event($bucket, 'in/term.jpg'));
ok(wait_for(sub { host_log("$tmp/rec") =~ /^start in\/term\.jpg/m }, 10), 'the plugin started');
my $t0 = time;
my $status = stop_host($pid, 'TERM', 30);
my $took = time - $t0;
is($status, 0, 'SIGTERM mid-processing: exit 0');
cmp_ok($took, '<', 8, sprintf('stopped in %.1f s: the message finished, the idle long poll was cancelled', $took));
like(host_log("$tmp/rec"), qr/^end in\/term\.jpg/m, 'the in-flight message finished');
is(get_object($bucket, 'in/term/term/copy.bin'), 'term-bytes', 'its output was stored');
is(queue_depth($q), 0, 'and it was deleted');
ok(!-e "$tmp/prism.pid", 'the pid file is gone');
like(host_log($log), qr/worker stopping \(Terminated\): finishing in-flight messages/, 'the worker logged the stop');

# The grace period runs out: the worker gives up, the message comes back.
my $log2 = "$tmp/host2.log";
$pid = start_host(config("$tmp/host2.json", 8, 1), $log2);
ok(wait_log($log2, qr/worker started/, 20), 'second run: worker started');
send_message($q, prism_event($bucket, 'in/late.jpg'));
ok(wait_for(sub { host_log("$tmp/rec") =~ /^start in\/late\.jpg/m }, 10), 'second run: the plugin started');
$t0 = time;
is(stop_host($pid, 'QUIT', 30), 0, 'SIGQUIT: the master exits 0');
cmp_ok(time - $t0, '<', 5, 'without waiting for the 8 s plugin');
like(host_log($log2), qr/shutdown_grace_seconds \(1\) passed with 1 poller\(s\) still busy/, 'the give-up is logged');
like(host_log($log2), qr/worker 0 \(pid \d+\) exited with status 1/, 'the worker exit status says so');
unlike(host_log("$tmp/rec"), qr/^end in\/late\.jpg/m, 'the plugin did not finish');
is(queue_depth($q), 1, 'the unfinished message is still on the queue');

memcheck($log, $log2);
done_testing();
