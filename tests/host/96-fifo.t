# FIFO queues: a message left for retry holds back the rest of its
# message group (they are released, not processed out of order) while
# other groups go on; the DLQ send to a FIFO DLQ carries MessageGroupId
# and MessageDeduplicationId.  The retry is made by an image record that
# cannot be written (no such table): only messages with an imageId write
# a record.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use PrismHostTest;
use HTTP::Tiny;
use Test::More;

my $DDB = $ENV{PRISM_DYNAMODB_ENDPOINT} || 'http://127.0.0.1:4567';
my $AWS = $ENV{PRISM_AWS_ENDPOINT} || 'http://127.0.0.1:4566';
my $tmp = tmpdir();

BAIL_OUT("no DynamoDB emulator at $DDB: start it (scripts/local-aws.sh start)") unless HTTP::Tiny->new(timeout => 5)->get("$DDB/")->{status} < 500;

my $bucket = uniq('fifob');
create_bucket($bucket);
my $dlq_name = uniq('fifo-dlq') . '.fifo';
my $q_name = uniq('fifo') . '.fifo';
my $dlq = create_queue($dlq_name, fifo => 1, visibility => 30);
my $q = create_queue($q_name, fifo => 1, visibility => 2, dlq => $dlq, max_receive => 2);

sub send_fifo {
    my ($body, $group, $dedup) = @_;
    return PrismHostTest::sqs('SendMessage', { QueueUrl => $q, MessageBody => $body,
                                               MessageGroupId => $group,
                                               MessageDeduplicationId => $dedup })->{MessageId};
}
# A real S3 event (no prism object, so no imageId and no record).
sub s3_event {
    my ($key) = @_;
    my $e = json()->decode(prism_event($bucket, $key));
    delete $e->{prism};
    return json()->encode($e);
}

put_object($bucket, "in/$_.jpg", "jpeg-$_", 'image/jpeg') for qw(a1 a2 b1);

my $conf = write_config("$tmp/host.json", {
    aws => { region => 'us-east-1', endpoint => $AWS, endpoints => { dynamodb => $DDB },
             credentials => { access_key_id => 'AKIDPRISMTEST', secret_access_key => 'prism-test-secret' } },
    workers => 1, log => { level => 'debug' }, shutdown_grace_seconds => 10,
    record => { table => uniq('no-such-table') },
    routes => [{ name => 'fifo', queue_url => $q, dlq_url => $dlq, plugin => plugin_path('ok'),
                 input => { buckets => [$bucket] }, output => { bucket => $bucket, prefix => 'd/' }, visibility_timeout => 2,
                 heartbeat_max_seconds => 2, max_attempts => 10, wait_time_seconds => 1 }] });
my $log = "$tmp/host.log";

# Queue everything before the host starts, so one batch holds both groups.
my $a1 = send_fifo(prism_event($bucket, 'in/a1.jpg'), 'a', 'a1');
send_fifo(s3_event('in/a2.jpg'), 'a', 'a2');
send_fifo(s3_event('in/b1.jpg'), 'b', 'b1');
my $poison = send_fifo('not json', 'b', 'b2');

my $pid = start_host($conf, $log);
ok(wait_log($log, qr/worker started/, 20), 'worker started') or diag(host_log($log));

ok(wait_for(sub { defined get_object($bucket, 'd/in/b1/fifo/info.txt') }, 20),
   'group b goes on while group a waits') or diag(host_log($log));
ok(!defined get_object($bucket, 'd/in/a2/fifo/info.txt'), 'a2 not processed before a1');
like(host_log($log), qr/image record: UpdateItem on .*(ResourceNotFound|non-existent|not found)/i,
     'a1 is retried: its record cannot be written');

# The queue's redrive policy moves a1 to the DLQ; then a2 runs.
ok(wait_for(sub { defined get_object($bucket, 'd/in/a2/fifo/info.txt') }, 30),
   'a2 processed once a1 left the queue') or diag(host_log($log));

my %dl;
wait_for(sub {
    for my $m (receive_messages($dlq, wait => 1, visibility => 30)) { $dl{ $m->{Body} } = $m }
    return keys(%dl) >= 2;
}, 20);
my $p = $dl{'not json'};
ok($p, 'poison sent to the FIFO DLQ by the host');
is($p && $p->{Attributes}{MessageGroupId}, 'b', 'DLQ message group: the original message\'s group');
is($p && $p->{Attributes}{MessageDeduplicationId}, $poison, 'DLQ dedup id: the original message id');
is($p && $p->{MessageAttributes}{'prism.reason'}{StringValue} =~ /not JSON/i ? 1 : 0, 1,
   'with the reason');
ok(scalar(grep { m{in/a1\.jpg} } keys %dl), 'a1 redriven to the DLQ by the queue');
ok(wait_for(sub { queue_depth($q) == 0 }, 10), 'queue drained');

is(stop_host($pid, 'TERM', 20), 0, 'host stopped cleanly');
done_testing();
