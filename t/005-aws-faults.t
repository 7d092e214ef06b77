# AWS faults, made by stock nginx locations (a second server in the test's
# own configuration) or a closed port: errors answer 502 / 503 / 504,
# transient ones are retried, a failed publish removes the stored original
# and nothing is claimed that is not true.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use PrismTest;

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;
});

# The key and image id the upload got, from the access log (written when
# nginx frees the request, which may be a moment after the answer).
sub last_upload {
    my $log = "$Test::Nginx::Util::ServRoot/logs/prism.log";
    for (1 .. 40) {
        if (open my $fh, '<', $log) {
            my @lines = <$fh>;
            return split ' ', $lines[-1] if @lines;
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
    my ($outcome, $key, $id) = last_upload();
    is($outcome, $block->error, "$name - \$prism_outcome");
    if (defined $key && $key ne '-') {
        ok(!defined PrismTest::s3_object($PrismTest::Bucket, $key),
           "$name - no object is left under $key");
    }
    if (defined $id && $id ne '-') {
        ok(no_event($id), "$name - no event was published for $id");
    }
    my $st = status_json(Test::Nginx::Util::server_port(), '/status');
    if (defined(my $want = $block->counters)) {
        for my $path (sort keys %$want) {
            my ($a, $b) = split /\./, $path;
            is($st->{$a}{$b}, $want->{$path}, "$name - status $path");
        }
    }
});

run_tests();

__DATA__

=== TEST 1: SNS answers 500: retried, then 502, and the stored original is removed
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism '$prism_outcome $prism_key $prism_image_id';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            default_type text/xml;
            return 500 '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Receiver</Type><Code>InternalError</Code><Message>injected fault</Message></Error><RequestId>fault-1</RequestId></ErrorResponse>';
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error: publish_failed
--- error_code: 502
--- response_body_like: InternalError.*the stored original was removed
--- counters eval
+{ 'publishes.failed' => 1, 'publishes.retries' => 3, 'unstores.ok' => 1, 'stores.ok' => 1 }
--- error_log
prism: sns POST attempt 1 failed, retrying in
prism: publishing the event of
--- timeout: 10



=== TEST 2: SNS fails once, the retry succeeds
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            if ($connection_requests = 1) {
                return 500 '<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>once</Message></Error></ErrorResponse>';
            }
            proxy_pass $TEST_NGINX_AWS_ENDPOINT;
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-rgb.png'))
--- created eval
+{ bytes => PrismTest::image('png-rgb.png'), type => 'image/png', width => 150, height => 91 }
--- error_code: 201
--- error_log
prism: sns POST attempt 1 failed, retrying in



=== TEST 3: SNS too slow: 504 within prism_publish_timeout, the original is removed
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism '$prism_outcome $prism_key $prism_image_id';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            limit_rate 1;
            return 200 '<PublishResponse><PublishResult><MessageId>never-complete</MessageId></PublishResult></PublishResponse>';
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_publish_timeout 1s;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-gray.jpg'))
--- error: publish_timeout
--- error_code: 504
--- response_body_like: the stored original was removed
--- counters eval
+{ 'publishes.failed' => 1, 'unstores.ok' => 1 }
--- timeout: 10



=== TEST 4: SNS on a closed port: 503, the original is removed
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_2;
    prism_credentials env;
    log_format prism '$prism_outcome $prism_key $prism_image_id';
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('webp-lossy.webp'))
--- error: publish_unavailable
--- error_code: 503
--- response_body_like: the stored original was removed
--- counters eval
+{ 'publishes.failed' => 1, 'publishes.retries' => 3, 'unstores.ok' => 1 }
--- timeout: 10



=== TEST 5: SNS refuses the request (400): no retry, 502
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism '$prism_outcome $prism_key $prism_image_id';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            return 404 '<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error></ErrorResponse>';
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-gray16.png'))
--- error: publish_failed
--- error_code: 502
--- response_body_like: Topic does not exist
--- counters eval
+{ 'publishes.failed' => 1, 'publishes.retries' => 0, 'unstores.ok' => 1 }



=== TEST 6: S3 answers 500: retried, then 502, nothing stored or published
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism '$prism_outcome $prism_key $prism_image_id';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            default_type application/xml;
            return 500 '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error.</Message><RequestId>fault-6</RequestId></Error>';
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error: store_failed
--- error_code: 502
--- response_body_like: InternalError
--- counters eval
+{ 'stores.failed' => 1, 'stores.retries' => 3, 'publishes.ok' => 0, 'publishes.failed' => 0 }
--- timeout: 10



=== TEST 7: S3 throttles (503 SlowDown): 503
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism '$prism_outcome $prism_key $prism_image_id';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            return 503 '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error: store_unavailable
--- error_code: 503
--- response_body_like: SlowDown
--- timeout: 10



=== TEST 8: S3 on a closed port: 503
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_2;
    prism_credentials env;
    log_format prism '$prism_outcome $prism_key $prism_image_id';
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error: store_unavailable
--- error_code: 503
--- counters eval
+{ 'stores.failed' => 1, 'publishes.ok' => 0 }
--- timeout: 10



=== TEST 9: S3 too slow: 504 within prism_store_timeout, and the object is deleted in case it was stored
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism '$prism_outcome $prism_key $prism_image_id';
    log_format method '$request_method $uri $status';
    map $request_method $s3_rate {
        PUT      1;
        default  0;
    }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        access_log logs/s3.log method;
        location / {
            limit_rate $s3_rate;
            if ($request_method = DELETE) {
                return 204;
            }
            return 200 'a response that takes far too long to arrive';
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_store_timeout 1s;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error: store_timeout
--- error_code: 504
--- counters eval
+{ 'stores.failed' => 1, 'publishes.ok' => 0 }
--- error_log
storing "
--- timeout: 10



=== TEST 10: S3 denies access (403): no retry, 502
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism '$prism_outcome $prism_key $prism_image_id';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        location / {
            return 403 '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error: store_failed
--- error_code: 502
--- response_body_like: AccessDenied
--- counters eval
+{ 'stores.failed' => 1, 'stores.retries' => 0 }



=== TEST 11: a part of a multipart upload fails: the upload is aborted, 502
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format prism '$prism_outcome $prism_key $prism_image_id';
    log_format s3 '$request_method $arg_partNumber $arg_uploadId $status';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        client_max_body_size 0;
        access_log logs/s3.log s3;
        location / {
            if ($arg_partNumber = 2) {
                return 400 '<Error><Code>InvalidPart</Code><Message>injected part failure</Message></Error>';
            }
            proxy_pass $TEST_NGINX_AWS_ENDPOINT;
        }
    }
--- config
    location /upload {
        client_max_body_size 0;
        prism_upload on;
        prism_max_bytes 0;
        prism_s3_multipart_threshold 5m;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-rgb.png') . ("\1" x (12 * 1024 * 1024)))
--- error: store_failed
--- error_code: 502
--- response_body_like: InvalidPart
--- counters eval
+{ 'stores.failed' => 1, 'publishes.ok' => 0 }
--- timeout: 20



=== TEST 12: S3 honours If-None-Match: PutObject of a repeating key that exists (412) is a duplicate, nothing removed or published
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    map "$request_method:$http_if_none_match:$arg_uploadId" $s3_fake {
        "~^PUT:\*:$"    412;
        "~^POST:\*:.+"  412;
        "~^DELETE::$"   500;
        default         0;
    }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        client_max_body_size 0;
        location / {
            if ($s3_fake = 412) {
                return 412 '<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>';
            }
            if ($s3_fake = 500) {
                return 500 '<Error><Code>InternalError</Code><Message>a duplicate must not delete the object</Message></Error>';
            }
            proxy_pass $TEST_NGINX_AWS_ENDPOINT;
        }
    }
--- config
    location /upload {
        client_max_body_size 0;
        prism_upload on;
        prism_max_bytes 0;
        prism_s3_multipart_threshold 5m;
        prism_s3_check_existing off;
        prism_key_template "by-hash/{sha256}.{ext}";
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error_code: 200
--- response_body_like: ^\{"bucket":"prism-ingest","key":"by-hash/[0-9a-f]{64}\.jpg","size":2720,.*"duplicate":true\}$
--- response_headers_like
Location: http://127.0.0.1:\d+/prism-ingest/by-hash/[0-9a-f]{64}\.jpg
--- error_log
exists already, the upload is a duplicate
--- no_error_log
[crit]
publishing the event



=== TEST 13: the same with a multipart upload: CompleteMultipartUpload answers 412, the upload is aborted, a duplicate
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    map "$request_method:$http_if_none_match:$arg_uploadId" $s3_fake {
        "~^PUT:\*:$"    412;
        "~^POST:\*:.+"  412;
        "~^DELETE::$"   500;
        default         0;
    }
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        client_max_body_size 0;
        location / {
            if ($s3_fake = 412) {
                return 412 '<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>';
            }
            if ($s3_fake = 500) {
                return 500 '<Error><Code>InternalError</Code><Message>a duplicate must not delete the object</Message></Error>';
            }
            proxy_pass $TEST_NGINX_AWS_ENDPOINT;
        }
    }
--- config
    location /upload {
        client_max_body_size 0;
        prism_upload on;
        prism_max_bytes 0;
        prism_s3_multipart_threshold 5m;
        prism_s3_check_existing off;
        prism_key_template "by-hash/{sha256}.{ext}";
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-rgb.png') . ("\1" x (6 * 1024 * 1024)))
--- error_code: 200
--- response_body_like: ^\{"bucket":"prism-ingest","key":"by-hash/[0-9a-f]{64}\.png",.*"duplicate":true\}$
--- error_log
exists already, the upload is a duplicate
--- no_error_log
[crit]
aborting the multipart upload
publishing the event
--- timeout: 20



=== TEST 14: no credentials: 503 before the body is read
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials profile nobody ../html/aws-credentials;
    log_format prism '$prism_outcome $prism_key $prism_image_id';
--- user_files
>>> aws-credentials
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = default-secret
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
    location /status { prism_status json; }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error: credentials_unavailable
--- error_code: 503
--- counters eval
+{ 'stores.ok' => 0, 'stores.failed' => 0 }
--- error_log
prism: no AWS credentials
