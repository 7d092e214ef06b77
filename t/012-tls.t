# TLS to the AWS endpoints: an https endpoint whose certificate nothing
# vouches for (self-signed, made by openssl when the suite starts), or
# whose certificate names another host, is refused at once (no retry):
# the upload fails (502 store_failed or publish_failed: a refused
# certificate is the endpoint's fault, never retried) without leaving anything behind,
# and the TLS error is logged.  It is accepted with "prism_verify_tls off",
# or when "prism_ca_file" names the certificate.  The endpoints are a stock
# nginx TLS server in the test's own configuration, proxying to the
# emulator; it logs to a file of its own (a handshake the module refuses
# makes it log an alert).

use lib 't';
use Test::Nginx::Socket 'no_plan';
use PrismTest;
use File::Temp qw(tempdir);

# Test-only certificates: one for 127.0.0.1 (served by the endpoint), one
# for the same name made with another key (a CA file that does not match).
my $Certs = tempdir(CLEANUP => 1);

for my $name (qw(endpoint other)) {
    system("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
           . " -addext subjectAltName=IP:127.0.0.1"
           . " -keyout $Certs/$name.key -out $Certs/$name.crt >/dev/null 2>&1") == 0
        or die "openssl req failed for the $name certificate\n";
}

$ENV{TEST_NGINX_CERTS} = $Certs;

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;
});

# The key the upload got, from the access log (written when nginx frees
# the request, a moment after the answer).
sub last_key {
    my $log = "$Test::Nginx::Util::ServRoot/logs/prism.log";
    for (1 .. 40) {
        if (open my $fh, '<', $log) {
            my @lines = <$fh>;
            return (split ' ', $lines[-1])[0] if @lines;
        }
        Time::HiRes::sleep(0.05);    # poll: until the condition holds or the deadline
    }
    return;
}

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run;
    my $name = $block->name;
    if (defined $block->created) {
        check_created($name, $body, $block->created);
        return;
    }
    return unless defined $block->error;
    check_error($name, $body, $block->error);
    my $key = last_key();
    ok(defined $key && $key ne '-', "$name - the upload got a key");
    ok(!defined PrismTest::s3_object($PrismTest::Bucket, $key // ''),
       "$name - nothing is left under the key");
});

run_tests();

__DATA__

=== TEST 1: S3 over https with a self-signed certificate: refused, nothing stored
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint https://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism '$prism_key';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1 ssl;
        ssl_certificate $TEST_NGINX_CERTS/endpoint.crt;
        ssl_certificate_key $TEST_NGINX_CERTS/endpoint.key;
        error_log logs/endpoint-error.log;
        client_max_body_size 0;
        location / { proxy_pass $TEST_NGINX_AWS_ENDPOINT; }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error_code: 502
--- error: store_failed
--- response_body_like: certificate
--- error_log eval
qr/prism: storing "[^"]+" in bucket "prism-ingest" failed: .*SSL certificate problem: self.signed certificate/
--- no_error_log
attempt 1 failed, retrying



=== TEST 2: SNS over https with a self-signed certificate: refused, the stored original is removed
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint https://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism '$prism_key';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1 ssl;
        ssl_certificate $TEST_NGINX_CERTS/endpoint.crt;
        ssl_certificate_key $TEST_NGINX_CERTS/endpoint.key;
        error_log logs/endpoint-error.log;
        location / { proxy_pass $TEST_NGINX_AWS_ENDPOINT; }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-rgb.png'))
--- error_code: 502
--- error: publish_failed
--- response_body_like: certificate.*the stored original was removed
--- error_log eval
qr/prism: publishing the event of "[^"]+" failed after 1 attempts: .*SSL certificate problem: self.signed certificate/



=== TEST 3: a CA file that is not the endpoint's certificate: still refused
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint https://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_sns_endpoint https://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_ca_file $TEST_NGINX_CERTS/other.crt;
    prism_credentials env;
    log_format prism '$prism_key';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1 ssl;
        ssl_certificate $TEST_NGINX_CERTS/endpoint.crt;
        ssl_certificate_key $TEST_NGINX_CERTS/endpoint.key;
        error_log logs/endpoint-error.log;
        client_max_body_size 0;
        location / { proxy_pass $TEST_NGINX_AWS_ENDPOINT; }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-gray.jpg'))
--- error_code: 502
--- error: store_failed
--- error_log
SSL certificate problem



=== TEST 4: the endpoint's certificate as prism_ca_file, but the endpoint named by another host name: refused
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint https://localhost:$TEST_NGINX_RAND_PORT_1;
    prism_ca_file $TEST_NGINX_CERTS/endpoint.crt;
    prism_credentials env;
    log_format prism '$prism_key';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1 ssl;
        ssl_certificate $TEST_NGINX_CERTS/endpoint.crt;
        ssl_certificate_key $TEST_NGINX_CERTS/endpoint.key;
        error_log logs/endpoint-error.log;
        client_max_body_size 0;
        location / { proxy_pass $TEST_NGINX_AWS_ENDPOINT; }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-gray.jpg'))
--- error_code: 502
--- error: store_failed
--- error_log eval
qr/storing "[^"]+" in bucket "prism-ingest" failed: .*(subject name|does not match)/



=== TEST 5: prism_ca_file names the endpoint's certificate: S3 and SNS over https, 201
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint https://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_sns_endpoint https://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_ca_file $TEST_NGINX_CERTS/endpoint.crt;
    prism_credentials env;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1 ssl;
        ssl_certificate $TEST_NGINX_CERTS/endpoint.crt;
        ssl_certificate_key $TEST_NGINX_CERTS/endpoint.key;
        error_log logs/endpoint-error.log;
        client_max_body_size 0;
        access_log logs/tls.log;
        location / { proxy_pass $TEST_NGINX_AWS_ENDPOINT; }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('webp-lossy.webp'))
--- error_code: 201
--- response_headers_like
Location: https://127\.0\.0\.1:\d+/prism-ingest/.+\.webp
--- created eval
+{ bytes => PrismTest::image('webp-lossy.webp'), type => 'image/webp', width => 150, height => 91 }
--- no_error_log
[error]



=== TEST 6: prism_verify_tls off: the self-signed endpoint is accepted, 201
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint https://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_sns_endpoint https://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_verify_tls off;
    prism_credentials env;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1 ssl;
        ssl_certificate $TEST_NGINX_CERTS/endpoint.crt;
        ssl_certificate_key $TEST_NGINX_CERTS/endpoint.key;
        error_log logs/endpoint-error.log;
        client_max_body_size 0;
        location / { proxy_pass $TEST_NGINX_AWS_ENDPOINT; }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-rgba.png'))
--- error_code: 201
--- created eval
+{ bytes => PrismTest::image('png-rgba.png'), type => 'image/png', width => 150, height => 91 }
--- no_error_log
[error]



=== TEST 7: a prism_ca_file that cannot be read is refused when the configuration is loaded
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_ca_file $TEST_NGINX_CERTS/no-such-file.crt;
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- must_die
--- error_log
[emerg]
cannot read "prism_ca_file"
no-such-file.crt
