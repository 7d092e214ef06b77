# Workers drop privileges to `user` and run under the configured rlimits
# before loading plugin code; the master keeps its own.  Needs root.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use Test::More;

plan skip_all => 'needs root to switch users' if $> != 0;
my @nobody = getpwnam('nobody') or plan skip_all => 'no user "nobody"';

my $tmp = tmpdir();

# The worker opens its plugin as nobody: give it a copy it can read
# wherever the checkout lives (a fresh clone may sit in a 0700 directory).
my $pdir = "$tmp/plugins-for-nobody";
mkdir $pdir or die "$pdir: $!";
chmod 0755, $tmp, $pdir;
my $plugin = "$pdir/ok.so";
system('cp', plugin_path('ok'), $plugin) == 0 or die "copying the test plugin failed";
chmod 0644, $plugin;
my $bin = $ENV{PRISM_HOST_BIN} || root() . '/build/prism-host';
# ASan and valgrind reserve far more address space than any useful limit.
my (undef, $ldd) = run_cmd('ldd', $bin);
my $limit_as = !$ENV{VALGRIND} && $ldd !~ /libasan/;

my $bucket = uniq('privb');
create_bucket($bucket);
put_object($bucket, 'in/p.jpg', 'p-bytes', 'image/jpeg');
my $q = create_queue(uniq('priv'), visibility => 10);
my $qd = create_queue(uniq('priv-dlq'));
my $conf = write_config("$tmp/host.json", {
    workers => 1, user => 'nobody',
    rlimits => { cpu_seconds => 3600, ($limit_as ? (address_space_mb => 4096) : ()) },
    routes => [ { name => 'priv', queue_url => $q, dlq_url => $qd, plugin => $plugin,
                  input => { buckets => [$bucket] }, output => { bucket => $bucket } } ] });
my $log = "$tmp/host.log";
my $pid = start_host($conf, $log);
ok(wait_log($log, qr/worker started/, 20), 'worker started') or diag(host_log($log));
my ($wpid) = host_log($log) =~ /pid=(\d+): worker started/;

# proc(PID, FILE): /proc/PID/FILE.
sub proc { my ($p, $f) = @_; return host_log("/proc/$p/$f") }
like(proc($wpid, 'status'), qr/^Uid:\s+$nobody[2]\s+$nobody[2]\s+$nobody[2]\s+$nobody[2]$/m,
     'the worker runs as nobody (real, effective, saved, fs)');
like(proc($wpid, 'status'), qr/^Gid:\s+$nobody[3]\s/m, 'with nobody\'s group');
like(proc($pid, 'status'), qr/^Uid:\s+0\s/m, 'the master stays root');
like(proc($wpid, 'limits'), qr/^Max cpu time\s+3600\s+3605\s+seconds/m, 'RLIMIT_CPU applied (hard 5 s above)');
SKIP: {
    skip('address-space limit not tested under ASan or valgrind', 1) unless $limit_as;
    like(proc($wpid, 'limits'), qr/^Max address space\s+4294967296\s+4294967296\s+bytes/m, 'RLIMIT_AS applied');
}
unlike(proc($pid, 'limits'), qr/^Max cpu time\s+3600/m, 'the master has no such limit');

send_message($q, prism_event($bucket, 'in/p.jpg'));
ok(wait_for(sub { defined get_object($bucket, 'in/p/priv/copy.bin') }, 15), 'and it processes messages');

is(stop_host($pid, 'TERM', 30), 0, 'SIGTERM: exit 0');

# Workers never run as root unless the configuration says so: without
# "user" (and without "allow_root": true) a root master refuses to start,
# and a reload to such a configuration is refused.
my %route = (name => 'priv', queue_url => $q, dlq_url => $qd, plugin => $plugin,
             input => { buckets => [$bucket] }, output => { bucket => $bucket });
my $rootconf = write_config("$tmp/root.json", { workers => 1, allow_root => undef,
                                                routes => [ { %route } ] });
my $rootlog = "$tmp/root.log";
my $rpid = start_host($rootconf, $rootlog);
my $rc = stop_host($rpid, 'ZERO', 15);
is($rc, 1 << 8, 'no "user" and no "allow_root" as root: the master exits 1 at once')
    or diag(host_log($rootlog));
like(host_log($rootlog), qr/workers would run as root: set "user" to an unprivileged user, or "allow_root": true/,
     'and says why');
unlike(host_log($rootlog), qr/worker started/, 'no worker started');

write_config($rootconf, { workers => 1, allow_root => JSON::PP::false, routes => [ { %route } ] });
$rpid = start_host($rootconf, $rootlog);
is(stop_host($rpid, 'ZERO', 15), 1 << 8, '"allow_root": false is the same');

write_config($rootconf, { workers => 1, allow_root => JSON::PP::true, routes => [ { %route } ] });
$rpid = start_host($rootconf, "$tmp/root2.log");
ok(wait_log("$tmp/root2.log", qr/worker started/, 20), '"allow_root": true: workers run as root');
write_config($rootconf, { workers => 1, allow_root => undef, routes => [ { %route } ] });
kill 'HUP', $rpid;
ok(wait_log("$tmp/root2.log", qr/reload failed: workers would run as root/, 20),
   'a reload to a configuration without it is refused') or diag(host_log("$tmp/root2.log"));
is(stop_host($rpid, 'TERM', 30), 0, 'SIGTERM: exit 0');
memcheck($log);
done_testing();
