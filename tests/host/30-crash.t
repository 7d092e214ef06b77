# A plugin that segfaults kills its worker, not the service: the master
# logs the signal, records the message that was in the plugin (the crash
# ledger) and respawns the worker with backoff; SQS redelivers the message
# after its visibility timeout and the host sends it to the DLQ with a
# "plugin crashed" reason instead of running the plugin again.  Another
# route keeps working meanwhile.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use IO::Socket::INET;
use Test::More;

my $tmp = tmpdir();
my $bucket = uniq('crb');
create_bucket($bucket);
put_object($bucket, 'in/boom.jpg', 'boom', 'image/jpeg');
put_object($bucket, 'in/boom2.jpg', 'boom', 'image/jpeg');
put_object($bucket, 'in/fine.jpg', 'fine', 'image/jpeg');
my $qd = create_queue(uniq('crash-dlq'));
my $q = create_queue(uniq('crash'), visibility => 2, dlq => $qd, max_receive => 3);
# A worker killed in the middle of a long poll leaves that poll behind in
# the emulator, which may hand the next message to it (then it returns
# after the visibility timeout): short timeouts keep the test quick.
my $qok = create_queue(uniq('crash-ok'), visibility => 2);

my $port = do { my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 1); $s->sockport };
my $conf = write_config("$tmp/host.json", {
    workers => 1, shutdown_grace_seconds => 5, metrics => { listen => "127.0.0.1:$port" },
    routes => [
        { name => 'crash', queue_url => $q, dlq_url => $qd, plugin => plugin_path('crash'),
          plugin_params => { record => "$tmp/rec" }, visibility_timeout => 2,
          input => { buckets => [$bucket] }, output => { bucket => $bucket } },
        { name => 'fine', queue_url => $qok, dlq_url => $qd, plugin => plugin_path('ok'),
          input => { buckets => [$bucket] }, output => { bucket => $bucket }, visibility_timeout => 2, wait_time_seconds => 2 } ] });
my $log = "$tmp/host.log";
my $pid = start_host($conf, $log);
ok(wait_log($log, qr/worker started/, 20), 'worker started') or diag(host_log($log));

my @d;
for my $key ('in/boom.jpg', 'in/boom2.jpg') {
    my @got;
    send_message($q, prism_event($bucket, $key));
    wait_for(sub { push @got, receive_messages($qd, wait => 1); @got }, 40);
    push @d, @got;
}
is(scalar @d, 2, 'each crashing message is in the DLQ');
like($d[0]{Body}, qr/in\/boom\.jpg/, 'the DLQ holds the original body');
like($d[0]{MessageAttributes}{'prism.reason'}{StringValue} // '',
     qr/^plugin crashed \(signal 11, SIGSEGV\) while processing this message$/,
     'with the crash as its reason');

my $text = host_log($log);
my @crashes = $text =~ /worker 0 \(pid \d+\) killed by signal 11 \(Segmentation fault\)[^\n]*respawning in [\d.]+ s/g;
is(scalar @crashes, 2, 'each crash logged with its signal and a respawn') or diag($text);
like($text, qr/crashed \(signal 11\) while the plugin ran on this message: it is the culprit/,
     'the master names the culprit');
my @delays = $text =~ /killed by signal 11 [^\n]*respawning in ([\d.]+) s/g;
ok(@delays == 2 && $delays[0] < $delays[1], "respawn backoff grows (@delays)");
my %pids;
my $rec = host_log("$tmp/rec");
$pids{$1}++ while $rec =~ /^process in\/boom\.jpg (\d+)$/mg;
is(scalar keys %pids, 1, 'the plugin ran once on the crashing message, not up to maxReceiveCount');
ok(kill(0, $pid), 'the master survived');
ok(wait_for(sub { my @s = host_log($log) =~ /worker started/g; @s >= 3 }, 10), 'a fresh worker is running');

send_message($qok, prism_event($bucket, 'in/fine.jpg'));
ok(wait_for(sub { defined get_object($bucket, 'in/fine/fine/copy.bin') }, 15), 'the service keeps working');
like(metrics_text($port), qr/^prism_worker_restarts_total 2$/m, 'metrics: worker restarts');

is(stop_host($pid, 'TERM', 30), 0, 'SIGTERM: exit 0');
memcheck($log);
done_testing();
