# SNS Publish through prism-aws fans out to the four role queues with
# the message and its attributes intact (raw delivery).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use PrismAwsCli;

my @queues = map { queue_url("prism-$_") } qw(thumbnail webp watermark avif);
my $marker = "fanout-$$-" . time;
my $message = qq({"Records":[{"s3":{"object":{"key":"a b+\x{fc}.jpg"}}}],"marker":"$marker"});
utf8::encode($message);

for my $q (@queues) {
    my ($rc, undef, $err) = cli('sqs', 'purge', '--queue-url', $q);
    is $rc, 0, "purge $q" or diag $err;
}

my ($rc, $out, $err) = cli('sns', 'publish', '--topic-arn', topic_arn('prism-uploads'), '--message', $message,
                           '--attr', 'content_type=String:image/jpeg',
                           '--attr', 'width=Number:640', '--attr', 'height=Number:480');
is $rc, 0, 'publish exits 0' or diag $err;
like $out, qr/^\S+\n\z/, 'publish prints one MessageId';

for my $q (@queues) {
    my $found;
    for my $try (1 .. 10) {
        my $lines = cli_ok('sqs', 'receive', '--queue-url', $q, '--wait', 2, '--max', 10);
        for my $m (json_lines($lines)) {
            next unless index($m->{body}, $marker) >= 0;
            $found = $m;
            cli_ok('sqs', 'delete', '--queue-url', $q, '--receipt-handle', $m->{receipt_handle});
        }
        last if $found;
    }
    ok $found, "message arrived in $q" or next;
    my $body = $found->{body};
    utf8::encode($body);
    is $body, $message, "body is byte-identical in $q";
    is_deeply $found->{attributes},
        { content_type => { type => 'String', value => 'image/jpeg' },
          width        => { type => 'Number', value => '640' },
          height       => { type => 'Number', value => '480' } },
        "attributes arrived in $q";
    ok $found->{receive_count} >= 1, 'receive count reported';
}

($rc, $out, $err) = cli('sns', 'publish', '--topic-arn',
                        topic_arn('no-such-topic'), '--message', 'x');
is $rc, 1, 'publish to a missing topic exits 1';
like $err, qr/^prism-aws: sns publish: http 4\d\d \S+/, 'one clear error line';
unlike $err, qr/local-secret/, 'no secret in the error';

($rc, undef, $err) = cli('sns', 'publish', '--topic-arn', topic_arn('prism-uploads'), '--message', 'x',
                         '--attr', 'bad');
is $rc, 2, 'a malformed --attr is a usage error';

done_testing;
