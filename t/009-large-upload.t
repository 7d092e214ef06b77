# A 200 MB upload streams through: the body goes to nginx's temporary file
# and S3 gets it as a multipart upload read from that file, so the worker's
# memory stays bounded.  The body is generated on the fly by a child
# process; the worker's resident memory is sampled from /proc while it
# runs, and its growth must stay under 16 MB.  The stored object's
# SHA-256 is checked against the generator's.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use Digest::SHA;
use IO::Socket::INET;
use POSIX ();
use PrismTest;

our ($Baseline, $Peak, $Status, $Body, $Sha, $Size);

my $CHUNK  = 1024 * 1024;
my $CHUNKS = 200;

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;
});

# The body: a PNG (so that the header is valid) followed by $CHUNKS
# distinct 1 MB chunks.
my $head = image('png-rgb.png');
my $base = join '', map { chr(($_ * 31 + 7) & 0xff) } 0 .. $CHUNK - 1;
sub chunk { my ($i) = @_; my $c = $base; substr($c, 0, 8) = pack('Q>', $i); $c }

sub worker_pid {
    open my $fh, '<', $Test::Nginx::Util::PidFile or return;
    my $pid = <$fh>;
    chomp $pid;
    return $pid;
}

sub rss_kb {
    my ($pid, $field) = @_;
    open my $fh, '<', "/proc/$pid/status" or return 0;
    while (<$fh>) {
        return $1 if /^\Q$field\E:\s+(\d+) kB/;
    }
    return 0;
}

# Sends the body from a child, samples the worker's memory meanwhile.
sub big_upload {
    my $port = Test::Nginx::Util::server_port();
    my $pid = worker_pid() or die "no nginx pid";

    # warm up (curl, TLS and pool allocations of a first upload)
    my $warm = start_upload($port, upload_request(POST => '/upload', image('jpeg-gray.jpg')));
    my ($st) = upload_result($warm, 15);
    die "warm-up upload failed\n" unless ($st // 0) == 201;

    $Baseline = rss_kb($pid, 'VmRSS');
    $Peak = $Baseline;
    if (open my $fh, '>', "/proc/$pid/clear_refs") {    # resets VmHWM
        print $fh "5\n";
        close $fh;
    }

    my $sha = Digest::SHA->new(256);
    $sha->add($head);
    $sha->add(chunk($_)) for 1 .. $CHUNKS;
    $Sha = $sha->hexdigest;
    $Size = length($head) + $CHUNKS * $CHUNK;

    my $file = Test::Nginx::Util::html_dir() . "/big-upload.response";
    unlink $file;
    my $child = fork // die "fork: $!";
    if ($child == 0) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                      Timeout => 120) or POSIX::_exit(1);
        print $s "POST /upload HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                 . "Content-Type: image/png\r\nContent-Length: $Size\r\n\r\n$head";
        print $s chunk($_) for 1 .. $CHUNKS;
        local $/;
        my $raw = <$s> // '';
        open my $out, '>:raw', $file or POSIX::_exit(1);
        print $out $raw;
        close $out;
        POSIX::_exit(0);
    }

    my $deadline = time + 150;
    while (waitpid($child, POSIX::WNOHANG()) == 0 && time < $deadline) {
        my $rss = rss_kb($pid, 'VmRSS');
        $Peak = $rss if $rss > $Peak;
        Time::HiRes::sleep(0.02);    # poll: until the condition holds or the deadline
    }
    my $hwm = rss_kb($pid, 'VmHWM');
    $Peak = $hwm if $hwm > $Peak;

    open my $in, '<:raw', $file or die "no response from the big upload\n";
    local $/;
    my $raw = <$in>;
    ($Status, $Body) = $raw =~ m{^HTTP/1\.1 (\d+).*?\r\n\r\n(.*)$}s;
}

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run;
    my $name = $block->name;
    is($Status, 201, "$name - the 200 MB upload was created");
    my $res = eval { JSON::PP::decode_json($Body) } // {};
    is($res->{size}, $Size, "$name - size");
    is($res->{sha256}, $Sha, "$name - sha256 computed while streaming");
    my $growth = ($Peak - $Baseline) / 1024;
    ok($growth < 16, sprintf("%s - worker RSS grew by %.1f MB (< 16 MB)", $name, $growth));

    my $file = Test::Nginx::Util::html_dir() . "/big-upload.object";
    my ($rc) = aws('s3', 'get', $res->{bucket} // '', $res->{key} // '', $file);
    is($rc, 0, "$name - the object can be read back");
    my $got = Digest::SHA->new(256);
    $got->addfile($file) if -f $file;
    is($got->hexdigest, $Sha, "$name - sha256 of the stored object");
    is(-s $file, $Size, "$name - size of the stored object");
    unlink $file;

    my $ev = receive_event($res->{imageId} // '');
    is($ev && $ev->{body}{prism}{sha256}, $Sha, "$name - the event carries the sha256");
    is($ev && $ev->{attributes}{size}{value}, $Size, "$name - the size attribute");
});

run_tests();

__DATA__

=== TEST 1: 200 MB, stored with an S3 multipart upload, memory bounded
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /upload {
        client_max_body_size 0;
        prism_upload on;
        prism_max_bytes 0;
        prism_store_timeout 120s;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status { prism_status json; }
--- init
main::big_upload();
--- request
GET /status
--- response_body_like: "created":2,
--- timeout: 30
--- no_error_log
[error]
