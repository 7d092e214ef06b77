# SQS through prism-aws: send, receive, change visibility, delete,
# DeleteMessageBatch with a bad receipt handle, a missing queue.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use JSON::PP ();
use Test::More;
use PrismAwsCli;

my $q = queue_url('prism-thumbnail-dlq');
my $marker = "sqs-$$-" . time;

# Receives from $q until a message with $marker arrives (bounded); returns it.
sub receive_mine {
    my (@extra) = @_;
    for my $try (1 .. 10) {
        my $lines = cli_ok('sqs', 'receive', '--queue-url', $q, '--wait', 2, '--max', 10, @extra);
        for my $m (json_lines($lines)) {
            return $m if index($m->{body}, $marker) >= 0;
        }
    }
    return undef;
}

my ($rc, $out, $err) = cli('sqs', 'send', '--queue-url', $q, '--message', "hello $marker",
                           '--attr', 'reason=String:corrupt JPEG', '--attr', 'attempts=Number:3');
is $rc, 0, 'send exits 0' or diag $err;
like $out, qr/^\S+\n\z/, 'send prints the MessageId';
chomp(my $sent_id = $out);

my $m = receive_mine('--visibility', 30);
ok $m, 'the message is received' or BAIL_OUT('no message');
is $m->{id}, $sent_id, 'same MessageId';
is $m->{body}, "hello $marker", 'same body';
is $m->{attributes}{reason}{value}, 'corrupt JPEG', 'String attribute';
is $m->{attributes}{attempts}{type}, 'Number', 'Number attribute type';
is $m->{receive_count}, 1, 'first receive';
ok $m->{sent_timestamp} > 1_600_000_000_000, 'sent timestamp in ms';

($rc, undef, $err) = cli('sqs', 'change-visibility', '--queue-url', $q,
                         '--receipt-handle', $m->{receipt_handle}, '--timeout', 0);
is $rc, 0, 'change-visibility to 0 exits 0' or diag $err;

my $again = receive_mine();
ok $again, 'visible again after change-visibility 0';
is $again->{receive_count}, 2, 'second receive counted' if $again;

# Failed[] on HTTP 200: the emulator reports invalid handles for
# ChangeMessageVisibilityBatch (its DeleteMessageBatch accepts any handle;
# tests/aws/wire.t checks DeleteMessageBatch's Failed[] with a scripted server).
($rc, $out, $err) = cli('sqs', 'change-visibility-batch', '--queue-url', $q, '--timeout', 60,
                        '--receipt-handle', $again->{receipt_handle},
                        '--receipt-handle', 'not-a-receipt-handle');
is $rc, 1, 'a batch with a bad handle exits 1';
my %entries = map { $_->{id} => $_ } json_lines($out);
ok $entries{0}{ok}, 'the good entry is in Successful';
ok !$entries{1}{ok}, 'the bad entry is in Failed';
is $entries{1}{code}, 'ReceiptHandleIsInvalid', 'Failed carries its code';
ok $entries{1}{sender_fault}, 'and SenderFault';
like $err, qr/entry 1 failed: ReceiptHandleIsInvalid/, 'and says so on stderr';

($rc, $out, $err) = cli('sqs', 'delete-batch', '--queue-url', $q,
                        '--receipt-handle', $again->{receipt_handle});
is $rc, 0, 'delete-batch exits 0' or diag $err;
is_deeply [json_lines($out)], [{ id => '0', ok => JSON::PP::true() }], 'one Successful entry';

my ($gone_rc, $gone) = cli('sqs', 'receive', '--queue-url', $q, '--wait', 1, '--max', 10);
ok !grep({ index($_->{body}, $marker) >= 0 } json_lines($gone)), 'the message is deleted';

# single delete
($rc, $out) = cli('sqs', 'send', '--queue-url', $q, '--message', "second $marker");
$m = receive_mine();
($rc, undef, $err) = cli('sqs', 'delete', '--queue-url', $q, '--receipt-handle', $m->{receipt_handle});
is $rc, 0, 'delete exits 0' or diag $err;

# receive --delete
cli_ok('sqs', 'send', '--queue-url', $q, '--message', "third $marker");
my $deleted;
for my $try (1 .. 10) {
    my $lines = cli_ok('sqs', 'receive', '--queue-url', $q, '--wait', 2, '--max', 10, '--delete');
    last if $deleted = grep { index($_->{body}, "third $marker") >= 0 } json_lines($lines);
}
ok $deleted, 'receive --delete prints the message';
($rc, $out) = cli('sqs', 'receive', '--queue-url', $q, '--wait', 1, '--max', 10);
ok !grep({ index($_->{body}, "third $marker") >= 0 } json_lines($out)), '... and deletes it';

($rc, $out, $err) = cli('sqs', 'attributes', '--queue-url', $q);
is $rc, 0, 'attributes exits 0';
like $out, qr/"ApproximateNumberOfMessages":"\d+"/, 'attributes as JSON';

($rc, $out, $err) = cli('sqs', 'receive', '--queue-url', queue_url('prism-no-such-queue'));
is $rc, 1, 'receive from a missing queue exits 1';
like $err, qr/^prism-aws: sqs receive: http 400 QueueDoesNotExist: .+\n\z/,
    'QueueDoesNotExist in one line';
is $out, '', 'nothing on stdout';

($rc, undef, $err) = cli('sqs', 'receive', '--queue-url', $q, '--wait', 21);
is $rc, 2, 'WaitTimeSeconds over 20 is a usage error';

($rc, $out) = cli('sqs', 'receive', '--help');
is $rc, 0, 'receive --help exits 0';
like $out, qr/--queue-url/, 'and documents the options';

done_testing;
