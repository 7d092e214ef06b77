# prism-aws against a scripted HTTP server on 127.0.0.1: the requests it
# sends (SigV4 headers, JSON 1.0 envelope, no Expect), retries of
# retryable answers with the default policy, no retry of permanent
# ones, DeleteMessageBatch Failed[] on HTTP 200, --max-bytes by
# Content-Length.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use IO::Socket::INET;
use JSON::PP;
use File::Temp ();
use Test::More;
use PrismAwsCli;

# Serves RESPONSES ([status, {header => value}, body] each) to one
# request apiece, then exits; each request is logged as a JSON line.
# Returns (port, pid, log file).
sub start_server {
    my @responses = @_;
    my $log = File::Temp->new;
    my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 8,
                                       ReuseAddr => 1) or die "listen: $!";
    my $port = $listen->sockport;
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        alarm 60;
        open my $out, '>>', $log->filename or exit 1;
        $out->autoflush(1);
        for my $r (@responses) {
            my $c = $listen->accept or exit 1;
            my ($head, $body) = ('', '');
            while ($head !~ /\r\n\r\n/) {
                sysread($c, my $buf, 4096) or last;
                $head .= $buf;
            }
            ($head, $body) = split /\r\n\r\n/, $head, 2;
            my ($line, @lines) = split /\r\n/, $head;
            my %h = map { my ($n, $v) = split /:\s*/, $_, 2; (lc $n => $v) } @lines;
            while (length $body < ($h{'content-length'} // 0)) {
                sysread($c, my $buf, 65536) or last;
                $body .= $buf;
            }
            my ($method, $path) = split / /, $line;
            print $out encode_json({ method => $method, path => $path, headers => \%h,
                                     body => $body }), "\n";
            my ($status, $hdrs, $rbody) = @$r;
            my $resp = "HTTP/1.1 $status X\r\nConnection: close\r\n";
            $resp .= "Content-Length: " . length($rbody) . "\r\n" unless exists $hdrs->{'Content-Length'};
            $resp .= "$_: $hdrs->{$_}\r\n" for sort keys %$hdrs;
            $resp .= "\r\n" . ($method eq 'HEAD' ? '' : $rbody);
            print $c $resp;
            close $c;
        }
        exit 0;
    }
    close $listen;
    return ($port, $pid, $log);
}

# Waits for the server and returns the logged requests.
sub requests {
    my ($pid, $log) = @_;
    kill 'TERM', $pid;
    waitpid $pid, 0;
    open my $fh, '<', $log->filename or die;
    return map { decode_json($_) } <$fh>;
}

sub endpoint { ('--endpoint-url', "http://127.0.0.1:$_[0]") }

# the stub servers check no account: AWS's documentation example
my $queue = 'http://127.0.0.1:1/123456789012/q';
my $topic = 'arn:aws:sns:us-east-1:123456789012:prism-uploads';

subtest 'DeleteMessageBatch: wire format and Failed[] on HTTP 200' => sub {
    my ($port, $pid, $log) = start_server(
        [200, { 'Content-Type' => 'application/x-amz-json-1.0', 'x-amzn-RequestId' => 'rid-1' },
         '{"Failed":[{"Code":"ReceiptHandleIsInvalid","Id":"1","Message":"The input receipt handle is invalid.","SenderFault":true}],"Successful":[{"Id":"0"}]}']);
    my ($rc, $out, $err) = cli(endpoint($port), 'sqs', 'delete-batch', '--queue-url', $queue,
                               '--receipt-handle', 'good', '--receipt-handle', 'bad');
    my @req = requests($pid, $log);
    is $rc, 1, 'exits 1 when an entry failed';
    my %e = map { $_->{id} => $_ } json_lines($out);
    ok $e{0}{ok}, 'entry 0 succeeded';
    is $e{1}{code}, 'ReceiptHandleIsInvalid', 'entry 1 failed with its code';
    is scalar @req, 1, 'one request';
    my $r = $req[0];
    is $r->{method}, 'POST', 'POST';
    is $r->{path}, '/', 'to / (never to the queue URL path)';
    is $r->{headers}{host}, "127.0.0.1:$port", 'to the configured endpoint';
    is $r->{headers}{'x-amz-target'}, 'AmazonSQS.DeleteMessageBatch', 'X-Amz-Target';
    is $r->{headers}{'content-type'}, 'application/x-amz-json-1.0', 'JSON 1.0 content type';
    like $r->{headers}{authorization},
        qr{^AWS4-HMAC-SHA256 Credential=\Q$ENV{AWS_ACCESS_KEY_ID}\E/\d{8}/us-east-1/sqs/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-date[a-z0-9;-]*, Signature=[0-9a-f]{64}$},
        'SigV4 Authorization';
    like $r->{headers}{'x-amz-date'}, qr/^\d{8}T\d{6}Z$/, 'X-Amz-Date';
    ok !exists $r->{headers}{expect}, 'no Expect: 100-continue';
    is_deeply decode_json($r->{body}),
        { QueueUrl => $queue, Entries => [{ Id => '0', ReceiptHandle => 'good' },
                                          { Id => '1', ReceiptHandle => 'bad' }] },
        'body';
};

subtest '503 is retried, then succeeds' => sub {
    my $unavailable = '<Error><Code>ServiceUnavailable</Code><Message>Please reduce your request rate.</Message></Error>';
    my ($port, $pid, $log) = start_server(
        [503, { 'Content-Type' => 'application/xml' }, $unavailable],
        [200, { 'Content-Type' => 'image/jpeg', 'ETag' => '"abc"', 'x-amz-meta-width' => '640',
                'Content-Length' => 1234 }, '']);
    my ($rc, $out, $err) = cli(endpoint($port), 's3', 'head', 'prism-ingest', 'a b.jpg');
    my @req = requests($pid, $log);
    is $rc, 0, 'exits 0 after a retry' or diag $err;
    is scalar @req, 2, 'two attempts';
    is $req[1]{method}, 'HEAD', 'HEAD';
    is $req[1]{path}, '/prism-ingest/a%20b.jpg', 'path-style, key encoded';
    is $req[1]{headers}{'x-amz-content-sha256'},
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'payload hash';
    my ($info) = json_lines($out);
    is $info->{size}, 1234, 'size from Content-Length';
    is $info->{metadata}{width}, '640', 'x-amz-meta-* captured';
};

subtest 'SNS throttling is retried' => sub {
    my ($port, $pid, $log) = start_server(
        [400, {}, '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>'],
        [200, {}, '<PublishResponse><PublishResult><MessageId>m-42</MessageId></PublishResult></PublishResponse>']);
    my ($rc, $out, $err) = cli(endpoint($port), 'sns', 'publish', '--topic-arn', $topic,
                               '--message', 'hi there');
    my @req = requests($pid, $log);
    is $rc, 0, 'exits 0' or diag $err;
    is $out, "m-42\n", 'prints the MessageId';
    is scalar @req, 2, 'two attempts';
    is $req[0]{headers}{'content-type'}, 'application/x-www-form-urlencoded; charset=utf-8',
        'form content type';
    like $req[0]{body}, qr/^Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3A.*&Message=hi%20there$/,
        'form body';
};

subtest 'a permanent error is not retried' => sub {
    my ($port, $pid, $log) = start_server(
        [403, { 'x-amz-request-id' => 'REQ403' },
         '<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>REQ403</RequestId></Error>'],
        [200, {}, '']);
    my ($rc, $out, $err) = cli(endpoint($port), 's3', 'rm', 'prism-ingest', 'k');
    my @req = requests($pid, $log);
    is $rc, 1, 'exits 1';
    is scalar @req, 1, 'one attempt only';
    is $err, "prism-aws: s3 rm: http 403 AccessDenied: Access Denied (request id REQ403)\n",
        'one line: status, code, message, request id';
};

subtest 'retries stop at the policy maximum' => sub {
    my @busy = map { [500, {}, '{"__type":"com.amazonaws.sqs#InternalError","message":"boom"}'] } 1 .. 5;
    my ($port, $pid, $log) = start_server(@busy);
    my ($rc, $out, $err) = cli(endpoint($port), 'sqs', 'purge', '--queue-url', $queue);
    my @req = requests($pid, $log);
    is $rc, 1, 'exits 1';
    is scalar @req, 4, 'four attempts (the default policy)';
    like $err, qr/http 500 InternalError: boom/, 'the last error is reported';
};

subtest 'query-compatible error header' => sub {
    my ($port, $pid, $log) = start_server(
        [400, { 'x-amzn-query-error' => 'AWS.SimpleQueueService.NonExistentQueue;Sender',
                'x-amzn-RequestId' => 'rq-9' }, '']);
    my ($rc, $out, $err) = cli(endpoint($port), 'sqs', 'attributes', '--queue-url', $queue);
    requests($pid, $log);
    is $rc, 1, 'exits 1';
    like $err, qr/http 400 AWS\.SimpleQueueService\.NonExistentQueue .*request id rq-9/,
        'code from the header';
};

subtest '--max-bytes by Content-Length' => sub {
    my ($port, $pid, $log) = start_server([200, { 'Content-Length' => 5000 }, 'x' x 5000]);
    my $dir = File::Temp->newdir;
    my ($rc, $out, $err) = cli(endpoint($port), 's3', 'get', 'prism-ingest', 'k', "$dir/f",
                               '--max-bytes', 100);
    requests($pid, $log);
    is $rc, 1, 'exits 1';
    like $err, qr/too-large: s3:\/\/prism-ingest\/k \(5000 bytes\) is larger than the limit of 100 bytes/,
        'names the object, its size and the limit';
    ok !-e "$dir/f", 'no file left';
};

done_testing;
