# HTTP/2 uploads (raw and form, sent with curl over h2c), and a reload
# (SIGHUP to the master) while an upload waits for a slow SNS endpoint:
# the old worker finishes it before it exits, and the new workers take
# new uploads.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use PrismTest;

master_on();
workers(2);

our ($Upload, $Curl, $OldWorkers);

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;
});

# Runs curl over HTTP/2 without TLS (prior knowledge); returns
# (HTTP version, status, body).
sub curl_h2 {
    my ($port, @args) = @_;
    my $out = Test::Nginx::Util::html_dir() . "/curl.out";   # html/ is cleaned by the runner
    open my $fh, '-|', 'curl', '-s', '--http2-prior-knowledge', '-o', $out,
        '-w', '%{http_version} %{http_code}', @args, "http://127.0.0.1:$port/upload"
        or die "cannot run curl: $!";
    my ($version, $status) = split ' ', (<$fh> // '');
    close $fh;
    open my $in, '<:raw', $out or return ($version, $status, '');
    local $/;
    return ($version, $status, <$in>);
}

sub data_path { "$ENV{TEST_NGINX_DATA}/images/$_[0]" }

# The pids of the master's worker processes.
sub workers_of {
    my ($master) = @_;
    my @pids;
    for my $status (glob '/proc/[0-9]*/status') {
        open my $fh, '<', $status or next;
        my ($ppid) = join('', <$fh>) =~ /^PPid:\s+(\d+)/m;
        push @pids, $status =~ m{/proc/(\d+)/} if ($ppid // 0) == $master;
    }
    return sort @pids;
}

sub master_pid {
    open my $fh, '<', $Test::Nginx::Util::PidFile or die "no pid file";
    my $pid = <$fh>;
    chomp $pid;
    return $pid;
}

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run;
    my $name = $block->name;
    if (defined $block->h2_created) {
        my ($version, $status, $h2body) = @$Curl;
        is($version, '2', "$name - answered over HTTP/2");
        is($status, 201, "$name - created");
        check_created($name, $h2body, $block->h2_created);
    }
    if (defined $block->reload_created) {
        my ($status, $up_body) = upload_result($Upload, 20);
        is($status, 201, "$name - the upload in flight during the reload completed");
        check_created($name, $up_body // '', $block->reload_created);
        my $deadline = time + 10;
        my %old = map { $_ => 1 } @$OldWorkers;
        Time::HiRes::sleep(0.1) while grep({ -e "/proc/$_" } keys %old) && time < $deadline;
        ok(!grep({ -e "/proc/$_" } keys %old), "$name - the old workers exited afterwards");
    }
});

run_tests();

__DATA__

=== TEST 1: a raw upload over HTTP/2
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1 http2;
        location /upload {
            prism_upload on;
            prism_bucket prism-ingest;
            prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        }
    }
--- config
    location /t { return 200 "ok\n"; }
--- init
my ($port) = do {
    open my $fh, '<', $Test::Nginx::Util::ConfFile; join('', <$fh>) =~ /listen 127\.0\.0\.1:(\d+) http2/
};
$main::Curl = [ main::curl_h2($port, '-H', 'Content-Type: image/jpeg',
                              '--data-binary', '@' . main::data_path('jpeg-progressive.jpg')) ];
--- request
GET /t
--- response_body
ok
--- h2_created eval
+{ bytes => PrismTest::image('jpeg-progressive.jpg'), type => 'image/jpeg', width => 161, height => 97 }
--- no_error_log
[error]



=== TEST 2: a form upload over HTTP/2
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1 http2;
        location /upload {
            prism_upload on;
            prism_bucket prism-ingest;
            prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        }
    }
--- config
    location /t { return 200 "ok\n"; }
--- init
my ($port) = do {
    open my $fh, '<', $Test::Nginx::Util::ConfFile; join('', <$fh>) =~ /listen 127\.0\.0\.1:(\d+) http2/
};
$main::Curl = [ main::curl_h2($port, '-F', 'caption=h2',
                              '-F', 'file=@' . main::data_path('webp-alpha.webp')) ];
--- request
GET /t
--- response_body
ok
--- h2_created eval
+{ bytes => PrismTest::image('webp-alpha.webp'), type => 'image/webp', width => 150, height => 91 }
--- no_error_log
[error]



=== TEST 3: nginx -s reload while an upload waits for SNS: it completes, then the old worker exits
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            limit_rate 200;
            proxy_pass $TEST_NGINX_AWS_ENDPOINT;
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /status { prism_status json; }
--- init
my $port = Test::Nginx::Util::server_port();
my $master = main::master_pid();
$main::Upload = PrismTest::start_upload($port,
    PrismTest::upload_request(POST => '/upload', PrismTest::image('png-rgba.png')));
my $publishing = 0;
for (1 .. 100) {
    my $st = PrismTest::status_json($port, '/status');
    if ($st && $st->{stores}{ok} == 1 && $st->{inFlight} == 1) { $publishing = 1; last }
    Time::HiRes::sleep(0.05);    # poll: until the condition holds or the deadline
}
die "the upload did not reach its publish\n" unless $publishing;
$main::OldWorkers = [ main::workers_of($master) ];
kill 'HUP', $master or die "cannot signal the master: $!";
# the new workers are up when the master has more children than before
for (1 .. 100) {
    my @now = main::workers_of($master);
    last if @now > @$main::OldWorkers;
    Time::HiRes::sleep(0.05);    # poll: until the condition holds or the deadline
}
--- request
GET /status
--- error_code: 200
--- reload_created eval
+{ bytes => PrismTest::image('png-rgba.png'), type => 'image/png', width => 150, height => 91 }
--- timeout: 20
--- no_error_log
[error]
[alert]
