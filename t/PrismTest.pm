package PrismTest;

# Helpers shared by the module's Test::Nginx::Socket suites (t/0*.t):
# requests with binary bodies, multipart forms, and the checks that an
# upload really happened: the stored object's bytes and SHA-256 (read back
# from the local AWS emulator with the prism-aws CLI, or from the local
# directory) and the SNS event as a subscribed SQS queue receives it.
#
# The suites read events from a queue of their own, "prism-nginx-tests",
# subscribed to the topic with raw delivery (created here, idempotently,
# with the signed requests of the prism-aws CLI, whose answers are
# checked: the queue URL, queue ARN and subscription ARN must name what
# was asked for): the role queues may have consumers of other test runs.
#
# No account id is written down: it is the caller's (STS
# GetCallerIdentity), and the topic's ARN is built from it.  Loading this
# module sets, for the suites' configurations:
#   TEST_NGINX_AWS_ACCOUNT   the account id      TEST_NGINX_TOPIC_ARN  the suites' topic
#
# Environment (exported by the harness):
#   TEST_NGINX_PRISM_MODULE  the module .so        TEST_NGINX_DATA  tests/data
#   TEST_NGINX_AWS_ENDPOINT  the emulator          TEST_NGINX_PRISM_AWS  the CLI

use strict;
use warnings;

use Digest::SHA qw(sha256_hex);
use Exporter 'import';
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::PP qw(decode_json);
use POSIX qw(WNOHANG);
use Test::More;
use Time::HiRes qw(sleep time);

our @EXPORT = qw(
    $Topic $Bucket $Account $Region image upload_request form_body aws s3_object
    check_created check_error receive_event no_event status_json http_get
    start_upload upload_finished upload_result subscribe_queue
);

our $Region = 'us-east-1';
our $Bucket = 'prism-ingest';
our ($Account, $Topic);

my $Queue = 'prism-nginx-tests';
my $QueueUrl;

# nginx reads "prism_credentials env" keys from its environment; the
# emulator does not check them.
$ENV{AWS_ACCESS_KEY_ID}     ||= 'AKIDPRISMTEST';
$ENV{AWS_SECRET_ACCESS_KEY} ||= 'prism-test-secret';

for my $var (qw(TEST_NGINX_PRISM_MODULE TEST_NGINX_DATA TEST_NGINX_AWS_ENDPOINT
                TEST_NGINX_PRISM_AWS)) {
    die "PrismTest: $var is not set\n" unless $ENV{$var};
}

my $Tmp = tempdir(CLEANUP => 1);

$Account = account();
$Topic   = "arn:aws:sns:$Region:$Account:prism-uploads";
$ENV{TEST_NGINX_AWS_ACCOUNT} = $Account;
$ENV{TEST_NGINX_TOPIC_ARN}   = $Topic;
$QueueUrl = subscribe_queue($Queue);

# Runs the prism-aws CLI (a setup call: its answer must be there);
# returns its stdout without the trailing newline.  Dies with WHAT and
# the CLI's error when the call fails or prints nothing.
sub aws_setup {
    my ($what, @args) = @_;
    my ($rc, $out) = aws(@args);
    chomp $out;
    return $out if $rc == 0 && $out ne '';
    my $err = '';
    if (open my $fh, '<', "$Tmp/aws.err") { local $/; $err = <$fh> // '' }
    chomp $err;
    die "PrismTest: $what failed (exit $rc): " . ($err ne '' ? $err : 'the answer was empty') . "\n";
}

# The caller's account id (STS GetCallerIdentity).  Dies when the answer
# carries none.
sub account {
    my $id = eval { decode_json(aws_setup('the account id (STS GetCallerIdentity)',
                                          'sts', 'identity')) } // {};
    die "PrismTest: the account id (STS GetCallerIdentity) is missing in the answer\n"
        unless ($id->{account} // '') =~ /^\d{12}$/;
    return $id->{account};
}

# Creates the queue NAME and subscribes it to TOPIC (default: the
# suites' topic; both calls are idempotent) with raw delivery, then
# empties it; returns its URL (as the endpoint returned it).  A NAME
# ending in ".fifo" is created as a FIFO queue.  Dies when the endpoint
# refuses or its answer lacks the queue URL or subscription ARN.  A
# suite that must see every event (none hidden or purged by suites
# running at the same time) subscribes a queue of its own.
sub subscribe_queue {
    my ($name, $topic) = @_;
    my @fifo = $name =~ /\.fifo$/ ? ('--attr', 'FifoQueue=true') : ();
    my $url = aws_setup("creating queue $name (its queue URL)",
                        'sqs', 'create-queue', '--name', $name, @fifo);
    aws_setup("subscribing queue $name (its subscription ARN)", 'sns', 'subscribe',
              '--topic-arn', $topic // $Topic, '--queue-url', $url,
              '--attr', 'RawMessageDelivery=true');
    my ($rc) = aws('sqs', 'purge', '--queue-url', $url);
    die "PrismTest: purging queue $name failed\n" if $rc != 0;
    return $url;
}

# The bytes of tests/data/images/NAME.
sub image {
    my ($name) = @_;
    my $path = "$ENV{TEST_NGINX_DATA}/images/$name";
    open my $fh, '<:raw', $path or die "cannot open $path: $!\n";
    local $/;
    my $bytes = <$fh>;
    close $fh;
    return $bytes;
}

# A complete HTTP/1.1 request with an exact binary body, for
# "--- raw_request eval".  Extra headers are "Name: value" strings.
sub upload_request {
    my ($method, $uri, $body, @headers) = @_;
    my $head = "$method $uri HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
    $head .= "$_\r\n" for @headers;
    $head .= "Content-Length: " . length($body) . "\r\n" if defined $body;
    return "$head\r\n" . ($body // '');
}

# A multipart/form-data body: parts are [name, value] for text fields or
# [name, bytes, filename, content type] for files.
sub form_body {
    my ($boundary, @parts) = @_;
    my $body = '';
    for my $p (@parts) {
        my ($name, $value, $filename, $type) = @$p;
        $body .= "--$boundary\r\nContent-Disposition: form-data; name=\"$name\"";
        $body .= "; filename=\"$filename\"" if defined $filename;
        $body .= "\r\n";
        $body .= "Content-Type: $type\r\n" if defined $type;
        $body .= "\r\n$value\r\n";
    }
    return "$body--$boundary--\r\n";
}

# Runs the prism-aws CLI against the emulator; returns (exit status,
# stdout).  Its stderr (a missing object is an expected failure) is kept
# out of the TAP output.
sub aws {
    my (@args) = @_;
    local $ENV{PRISM_AWS_ENDPOINT} = $ENV{TEST_NGINX_AWS_ENDPOINT};
    local $ENV{AWS_REGION} = 'us-east-1';
    my $pid = open my $out, '-|';
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        open STDERR, '>', "$Tmp/aws.err";
        { exec $ENV{TEST_NGINX_PRISM_AWS}, @args }
        POSIX::_exit(127);
    }
    local $/;
    my $stdout = <$out> // '';
    close $out;
    return ($? >> 8, $stdout);
}

# The bytes of s3://BUCKET/KEY, or undef when it does not exist.
sub s3_object {
    my ($bucket, $key) = @_;
    my $file = "$Tmp/object";
    unlink $file;
    my ($rc) = aws('s3', 'get', $bucket, $key, $file);
    return undef if $rc != 0;
    open my $fh, '<:raw', $file or return undef;
    local $/;
    my $bytes = <$fh>;
    return $bytes;
}

# Receives the event of IMAGE_ID from the suites' queue, deleting it.
# Returns { body => decoded body, attributes => {...} }, or undef when it
# did not arrive.  Other messages are left alone (hidden for 2 s so that
# the next receive sees further ones).
sub receive_event {
    my ($image_id) = @_;
    for my $round (1 .. 5) {
        my ($rc, $out) = aws('sqs', 'receive', '--queue-url', $QueueUrl,
                             '--wait', 2, '--max', 10, '--visibility', 2);
        return undef if $rc != 0;
        for my $line (split /\n/, $out) {
            my $msg = eval { decode_json($line) } or next;
            my $body = eval { decode_json($msg->{body}) } or next;
            next unless ($body->{prism}{imageId} // '') eq $image_id;
            aws('sqs', 'delete', '--queue-url', $QueueUrl,
                '--receipt-handle', $msg->{receipt_handle});
            return { body => $body, attributes => $msg->{attributes} };
        }
    }
    return undef;
}

# True when no event of IMAGE_ID (or, without one, no event at all) is
# waiting in the suites' queue.
sub no_event {
    my ($image_id) = @_;
    my ($rc, $out) = aws('sqs', 'receive', '--queue-url', $QueueUrl,
                         '--wait', 1, '--max', 10, '--visibility', 0);
    for my $line (split /\n/, $out) {
        my $msg = eval { decode_json($line) } or next;
        my $body = eval { decode_json($msg->{body}) } or next;
        return 0 if !defined $image_id || ($body->{prism}{imageId} // '') eq $image_id;
    }
    return 1;
}

# Checks a 201 answer against what was uploaded: $want is
# { bytes, type, width, height } plus optional { animated => 1 } and
# { store => 'local', dir }.
# Verifies the JSON body, the stored object's bytes and SHA-256, and the
# SNS event (body and attributes) received from the suites' queue.
# Returns the decoded answer.
sub check_created {
    my ($name, $body, $want) = @_;
    my $sha = sha256_hex($want->{bytes});
    my $res = eval { decode_json($body) };
    ok($res && $res->{imageId}, "$name - the answer describes the upload")
        or return;

    is($res->{size}, length $want->{bytes}, "$name - size");
    is($res->{sha256}, $sha, "$name - sha256 of the uploaded bytes");
    is($res->{contentType}, $want->{type}, "$name - content type");
    is($res->{width}, $want->{width}, "$name - width");
    is($res->{height}, $want->{height}, "$name - height");
    like($res->{imageId} // '', qr/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
         "$name - image id is a UUIDv7");
    like($res->{key} // '', qr/\Q$res->{imageId}\E/, "$name - key contains the image id");
    like($res->{messageId} // '', qr/\S/, "$name - message id");

    my $stored;
    if (($want->{store} // 's3') eq 'local') {
        my $path = "$want->{dir}/$res->{key}";
        if (open my $fh, '<:raw', $path) {
            local $/;
            $stored = <$fh>;
        }
    } else {
        is($res->{bucket}, $want->{bucket} // $Bucket, "$name - bucket");
        $stored = s3_object($res->{bucket}, $res->{key});
    }
    ok(defined $stored && $stored eq $want->{bytes}, "$name - the stored object holds the uploaded bytes");
    is(defined $stored ? sha256_hex($stored) : undef, $sha, "$name - sha256 of the stored object");

    my $ev = receive_event($res->{imageId});
    ok($ev, "$name - the event arrived in a subscribed queue") or return $res;
    my $b = $ev->{body};
    my $rec = $b->{Records}[0] // {};
    is($rec->{eventName}, 'ObjectCreated:Put', "$name - event: eventName");
    is($rec->{eventSource}, 'aws:s3', "$name - event: eventSource");
    is($rec->{s3}{object}{size}, length $want->{bytes}, "$name - event: object size");
    is($b->{prism}{key}, $res->{key}, "$name - event: key");
    is($b->{prism}{sha256}, $sha, "$name - event: sha256");
    is($b->{prism}{contentType}, $want->{type}, "$name - event: contentType");
    is($b->{prism}{width}, $want->{width}, "$name - event: width");
    is($b->{prism}{height}, $want->{height}, "$name - event: height");
    like($b->{prism}{requestId} // '', qr/^[0-9a-f]{32}$/, "$name - event: requestId");
    my $a = $ev->{attributes} // {};
    is($a->{content_type}{value}, $want->{type}, "$name - event: content_type attribute");
    is($a->{width}{value}, $want->{width}, "$name - event: width attribute");
    is($a->{height}{value}, $want->{height}, "$name - event: height attribute");
    is($a->{size}{value}, length $want->{bytes}, "$name - event: size attribute");
    is($a->{animated}{value}, $want->{animated} ? 'true' : 'false', "$name - event: animated attribute");
    is($b->{prism}{animated} ? 1 : 0, $want->{animated} ? 1 : 0, "$name - event: animated");
    is($a->{request_id}{value}, $b->{prism}{requestId}, "$name - event: request_id attribute");
    if (($want->{store} // 's3') eq 'local') {
        is($b->{prism}{storage}, 'local', "$name - event: storage");
        is($b->{prism}{localPath}, "$want->{dir}/$res->{key}", "$name - event: localPath");
    } else {
        is($rec->{s3}{bucket}{name}, $res->{bucket}, "$name - event: bucket");
        is($b->{prism}{storage}, 's3', "$name - event: storage");
    }
    return $res;
}

# Checks an error answer: JSON {"error": CODE, "message": ...}.
sub check_error {
    my ($name, $body, $code) = @_;
    my $res = eval { decode_json($body) };
    ok($res, "$name - the error is JSON") or return;
    is($res->{error}, $code, "$name - error code");
    like($res->{message} // '', qr/\S/, "$name - error message");
    return $res;
}

# GET http://127.0.0.1:$port$uri; returns (status, body) or () on failure.
sub http_get {
    my ($port, $uri) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Timeout => 5) or return;
    print $s "GET $uri HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    local $/;
    my $raw = <$s> // '';
    close $s;
    my ($status, $body) = $raw =~ m{^HTTP/1\.1 (\d+).*?\r\n\r\n(.*)$}s or return;
    return ($status, $body);
}

# The status handler's counters (prism_status json at $uri).
sub status_json {
    my ($port, $uri) = @_;
    my ($status, $body) = http_get($port, $uri);
    return undef unless $status && $status == 200;
    return eval { decode_json($body) };
}

# Sends a raw request from a child process; the response lands in a
# file.  Returns a handle for upload_finished / upload_result.
sub start_upload {
    my ($port, $request) = @_;
    my $file = "$Tmp/upload-" . time() . "-$$";
    unlink $file;
    my $pid = fork;
    die "fork: $!\n" unless defined $pid;
    if ($pid == 0) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                      Timeout => 30) or POSIX::_exit(1);
        print $s $request;
        local $/;
        my $raw = <$s> // '';
        open my $fh, '>:raw', "$file.part" or POSIX::_exit(1);
        print $fh $raw;
        close $fh;
        rename "$file.part", $file;
        POSIX::_exit(0);
    }
    return { pid => $pid, file => $file };
}

# True once the child's response arrived.
sub upload_finished {
    my ($up) = @_;
    return -e $up->{file};
}

# Waits (up to $timeout seconds) for the child; returns (status, body).
sub upload_result {
    my ($up, $timeout) = @_;
    my $end = time + $timeout;
    while (time < $end) {
        last if waitpid($up->{pid}, WNOHANG) == $up->{pid};
        sleep 0.05;    # poll: until the condition holds or the deadline
    }
    if (!-e $up->{file}) {
        kill 'KILL', $up->{pid};
        waitpid($up->{pid}, 0);
        return;
    }
    open my $fh, '<:raw', $up->{file} or return;
    local $/;
    my $raw = <$fh>;
    my ($status, $body) = $raw =~ m{^HTTP/1\.1 (\d+).*?\r\n\r\n(.*)$}s or return;
    return ($status, $body);
}

1;
