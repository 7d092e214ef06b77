# prism-host -T (--test-online): -t, then what only AWS can tell, through
# the emulator with the configured credentials: every route's queue and
# DLQ exist (GetQueueAttributes), each completion topic exists
# (GetTopicAttributes), and each queue's maxReceiveCount is above the
# route's max_attempts (else SQS dead-letters a failing message before
# the host can, without a reason).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use Test::More;

my $tmp = tmpdir();
my $host = $ENV{PRISM_HOST_BIN} || root() . '/build/prism-host';
mkdir "$tmp/out";

my $dlq = create_queue(uniq('on-dlq'));
my $q = create_queue(uniq('on'), dlq => $dlq, max_receive => 5);
my $topic = aws_setup('sns', 'create-topic', '--name', uniq('on-done'));
(my $gone = $q) =~ s{[^/]+$}{uniq('on-missing')}e;

# online(%ROUTE): (exit status, output) of prism-host -T for one route.
my $n = 0;
sub online {
    my (%r) = @_;
    my $file = write_config("$tmp/online" . ++$n . '.json', { workers => 1, routes => [{
        name => 'a', queue_url => $q, dlq_url => $dlq, plugin => plugin_path('ok'),
        input => { buckets => ['prism-ingest'] }, output => { directory => "$tmp/out" },
        max_attempts => 3, completion_topic_arn => $topic, %r }] });
    return run_cmd($host, '-T', '-c', $file);
}

my ($rc, $out) = online();
is($rc, 0, 'queues and topic exist, maxReceiveCount 5 > max_attempts 3: -T exits 0') or diag($out);
like($out, qr/route a: queue \Q$q\E: maxReceiveCount 5, max_attempts 3: ok/,
     'the queue is reported with both counts');
like($out, qr/test is successful/, 'test is successful');

($rc, $out) = online(queue_url => $gone);
is($rc, 1, 'a queue that does not exist: -T exits 1');
like($out, qr/\Qroutes[0].queue_url: GetQueueAttributes \E.*(?:NonExistentQueue|QueueDoesNotExist)/,
     'a queue that does not exist: named, with the AWS error');

($rc, $out) = online(dlq_url => $gone);
is($rc, 1, 'a DLQ that does not exist: -T exits 1');
like($out, qr/\Qroutes[0].dlq_url: GetQueueAttributes \E/, 'a DLQ that does not exist: named');

($rc, $out) = online(completion_topic_arn => "$topic-missing");
is($rc, 1, 'a completion topic that does not exist: -T exits 1');
like($out, qr/\Qroutes[0].completion_topic_arn: GetTopicAttributes \E.*NotFound/,
     'a completion topic that does not exist: named');

($rc, $out) = online(max_attempts => 5);
is($rc, 1, 'maxReceiveCount 5 <= max_attempts 5: -T exits 1');
like($out, qr/\Qroutes[0].max_attempts: queue $q moves a message to its DLQ after 5 receives (maxReceiveCount), max_attempts is 5\E/,
     'maxReceiveCount <= max_attempts: said, as the start-up warning says it');

($rc, $out) = run_cmd($host, '--test-online', '--config', "$tmp/online1.json");
is($rc, 0, '--test-online --config: the long options') or diag($out);

done_testing();
