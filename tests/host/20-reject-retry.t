# Plugin results drive the message:
#   reject -> in the DLQ at once, with the reason attributes, deleted;
#   retry  -> left on the queue: SQS redelivers it after the visibility
#             timeout, and the queue's redrive policy (maxReceiveCount)
#             moves it to the DLQ;
#   retry on a queue without redrive -> the host dead-letters it itself
#             once ApproximateReceiveCount exceeds max_attempts.
# At start the host warns about each route whose queue's maxReceiveCount
# is <= its max_attempts (SQS would dead-letter first, without a reason).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use Test::More;
use Time::HiRes qw(time);

my $tmp = tmpdir();
my $bucket = uniq('rrb');
create_bucket($bucket);
put_object($bucket, "in/$_.jpg", "image-$_", 'image/jpeg') for qw(rej ret cap);

my $qrejd = create_queue(uniq('rej-dlq'));
my $qrej = create_queue(uniq('rej'), visibility => 10, dlq => $qrejd, max_receive => 3);
my $qretd = create_queue(uniq('ret-dlq'));
my $qret = create_queue(uniq('ret'), visibility => 1, dlq => $qretd, max_receive => 2);
my $qcap = create_queue(uniq('cap'), visibility => 1);
my $qcapd = create_queue(uniq('cap-dlq'));

my %common = (input => { buckets => [$bucket] }, output => { bucket => $bucket, prefix => 'd/' }, wait_time_seconds => 20);
my $conf = write_config("$tmp/host.json", {
    workers => 1, shutdown_grace_seconds => 5,
    routes => [
        { name => 'rej', queue_url => $qrej, dlq_url => $qrejd, plugin => plugin_path('reject'),
          plugin_params => { record => "$tmp/rec-rej" }, %common },
        { name => 'ret', queue_url => $qret, dlq_url => $qretd, plugin => plugin_path('retry'),
          plugin_params => { record => "$tmp/rec-ret" }, visibility_timeout => 1, %common },
        { name => 'cap', queue_url => $qcap, dlq_url => $qcapd, plugin => plugin_path('retry'),
          plugin_params => { record => "$tmp/rec-cap" }, visibility_timeout => 1, max_attempts => 2,
          %common } ] });
my $log = "$tmp/host.log";
my $pid = start_host($conf, $log);
ok(wait_log($log, qr/worker started/, 20), 'worker started') or diag(host_log($log));
ok(wait_log($log, qr/route=ret: queue \S+ moves a message to its DLQ after 2 receives \(maxReceiveCount\), max_attempts is 5/, 20),
   'redrive check: warns when maxReceiveCount <= max_attempts');
like(host_log($log), qr/route=rej: queue \S+ moves a message to its DLQ after 3 receives/,
     'redrive check: one line per such route');
unlike(host_log($log), qr/route=cap: queue|cannot read the redrive policy/,
       'redrive check: quiet for a queue without a redrive policy');

my $t0 = time;
my $id_rej = send_message($qrej, prism_event($bucket, 'in/rej.jpg'));
my $id_ret = send_message($qret, prism_event($bucket, 'in/ret.jpg'));
my $id_cap = send_message($qcap, prism_event($bucket, 'in/cap.jpg'));

# reject
my @d;
wait_for(sub { push @d, receive_messages($qrejd, wait => 1); @d }, 10);
is(scalar @d, 1, 'reject: in the DLQ');
ok(time - $t0 < 8, 'reject: at once, not after redeliveries');
my %a = map { $_ => $d[0]{MessageAttributes}{$_}{StringValue} } keys %{ $d[0]{MessageAttributes} };
is($a{'prism.reason'}, 'plugin reject: corrupt image (test)', 'reject: the plugin\'s reason');
is($a{'prism.route'}, 'rej', 'reject: route');
is($a{'prism.plugin'}, 'reject 1.0.0', 'reject: plugin');
is($a{'prism.attempts'}, '1', 'reject: attempts');
is($a{'prism.original_message_id'}, $id_rej, 'reject: original message id');
like($d[0]{Body}, qr/in\/rej\.jpg/, 'reject: the original body');
ok(wait_for(sub { queue_depth($qrej) == 0 }, 5), 'reject: deleted from the source queue');

# retry with the queue's redrive policy (maxReceiveCount 2)
my @r;
wait_for(sub { push @r, receive_messages($qretd, wait => 1); @r }, 20);
is(scalar @r, 1, 'retry: moved to the DLQ by the redrive policy');
like($r[0]{Body}, qr/in\/ret\.jpg/, 'retry: the original body');
ok(!exists $r[0]{MessageAttributes}{'prism.reason'}, 'retry: moved by SQS, not sent by the host');
my @calls = host_log("$tmp/rec-ret") =~ /^process /mg;
is(scalar @calls, 2, 'retry: the plugin ran once per delivery (maxReceiveCount 2)');
like(host_log($log), qr/route=ret msg=\Q$id_ret\E req=req-e2e: retry \(attempt 1\): plugin retry: transient trouble \(test\)/,
     'retry: logged with the attempt and reason');
like(host_log($log), qr/route=ret msg=\Q$id_ret\E req=req-e2e: retry \(attempt 2\)/, 'retry: second attempt logged');

# retry without redrive: max_attempts 2
my @c;
wait_for(sub { push @c, receive_messages($qcapd, wait => 1); @c }, 20);
is(scalar @c, 1, 'max_attempts: the host dead-letters the message');
is($c[0]{MessageAttributes}{'prism.reason'}{StringValue}, 'max_attempts 2 exceeded: received 3 times',
   'max_attempts: reason');
is($c[0]{MessageAttributes}{'prism.attempts'}{StringValue}, '3', 'max_attempts: attempts attribute');
@calls = host_log("$tmp/rec-cap") =~ /^process /mg;
is(scalar @calls, 2, 'max_attempts: the plugin ran max_attempts times');
ok(wait_for(sub { queue_depth($qcap) == 0 }, 5), 'max_attempts: deleted from the source queue');

is(stop_host($pid, 'TERM', 30), 0, 'SIGTERM: exit 0');
memcheck($log);
done_testing();
