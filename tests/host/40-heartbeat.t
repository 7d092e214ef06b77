# A plugin working longer than the visibility timeout: the heartbeat
# extends the message's visibility, so no other consumer (a second
# worker polls the same queue) gets it, and the plugin runs exactly once.
# The extension is capped: past heartbeat_max_seconds the host lets go
# and SQS redelivers the message.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use Test::More;

my $tmp = tmpdir();
my $bucket = uniq('hbb');
create_bucket($bucket);
put_object($bucket, 'in/slow.jpg', 'slow-bytes', 'image/jpeg');
put_object($bucket, 'in/capped.jpg', 'capped-bytes', 'image/jpeg');
my $q = create_queue(uniq('hb'), visibility => 2);
my $qcap = create_queue(uniq('hb-cap'), visibility => 2);
my $qd = create_queue(uniq('hb-dlq'));

my $conf = write_config("$tmp/host.json", {
    workers => 2, shutdown_grace_seconds => 15, log => { level => 'debug' },
    routes => [
        { name => 'slow', queue_url => $q, dlq_url => $qd, plugin => plugin_path('slow'),
          plugin_params => { record => "$tmp/rec", seconds => 5 }, visibility_timeout => 2,
          wait_time_seconds => 1, input => { buckets => [$bucket] }, output => { bucket => $bucket } },
        { name => 'capped', queue_url => $qcap, dlq_url => $qd, plugin => plugin_path('slow'),
          plugin_params => { record => "$tmp/rec-cap", seconds => 5 }, visibility_timeout => 2,
          heartbeat_max_seconds => 2, wait_time_seconds => 1, input => { buckets => [$bucket] }, output => { bucket => $bucket } } ] });
my $log = "$tmp/host.log";
my $pid = start_host($conf, $log);
ok(wait_for(sub { my @s = host_log($log) =~ /worker started/g; @s == 2 }, 20), 'two workers started')
    or diag(host_log($log));

my $id = send_message($q, prism_event($bucket, 'in/slow.jpg'));
send_message($qcap, prism_event($bucket, 'in/capped.jpg'));

ok(wait_for(sub { defined get_object($bucket, 'in/slow/slow/copy.bin') }, 15), 'slow plugin finished and stored');
ok(wait_for(sub { queue_depth($q) == 0 }, 5), 'the message was deleted');
my @starts = host_log("$tmp/rec") =~ /^start in\/slow\.jpg/mg;
is(scalar @starts, 1, 'the plugin ran exactly once although it took 5 s with a 2 s visibility timeout');
my @beats = host_log($log) =~ /msg=\Q$id\E[^\n]*heartbeat: visibility extended by 2 s/g;
cmp_ok(scalar @beats, '>=', 2, 'heartbeats extended the visibility (' . scalar(@beats) . ' times)');

# The capped route: no longer extended after 2 s, so it is delivered again.
ok(wait_log($log, qr/route=capped [^\n]*held for heartbeat_max_seconds \(2 s\)/, 10), 'the cap is logged');
ok(wait_for(sub { my @s = host_log("$tmp/rec-cap") =~ /^start /mg; @s >= 2 }, 10),
   'past heartbeat_max_seconds SQS redelivers the message');

is(stop_host($pid, 'TERM', 40), 0, 'SIGTERM: exit 0');
memcheck($log);
done_testing();
