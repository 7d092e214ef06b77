# Every directive in a valid configuration, and every bad value refused by
# "nginx -t" / start with a clear message.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use PrismTest;

my %saved_keys;

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;

    # "--- without_aws_keys": nginx starts without AWS keys in its environment
    if (defined $block->without_aws_keys) {
        $saved_keys{$_} //= delete $ENV{$_} for qw(AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY);
    } else {
        $ENV{$_} //= $saved_keys{$_} for grep { defined $saved_keys{$_} } keys %saved_keys;
    }
});

run_tests();

__DATA__

=== TEST 1: every directive, valid
--- main_config
    load_module $TEST_NGINX_PRISM_MODULE;
    thread_pool prism_pool threads=2;
--- http_config
    prism_region us-east-1;
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint $TEST_NGINX_AWS_ENDPOINT/;
    prism_sns_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_addressing path;
    prism_credentials env;
    prism_verify_tls off;
    prism_aws_connect_timeout 2s;
    prism_thread_pool prism_pool;
    prism_types jpeg png webp gif;
    prism_max_pixels 40000000;
    prism_max_bytes 20m;
    prism_publish_timeout 5s;
    prism_store_timeout 30s;
    prism_s3_multipart_threshold 16m;
    prism_store s3;
    prism_key_prefix uploads/;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_key_template "{yyyy}/{mm}/{dd}/{hh}/{id}.{ext}";
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        prism_location /images/$prism_key;
    }
    location /local {
        prism_upload on;
        prism_store local;
        prism_local_dir local-store;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
    location /off {
        prism_upload off;
        return 204;
    }
    location /status {
        prism_status;
    }
    location /status.json {
        prism_status json;
    }
--- request
GET /status
--- error_code: 200
--- response_headers
Content-Type: text/plain; version=0.0.4; charset=utf-8
--- response_body_like
prism_uploads_total\{outcome="created"\} \d+
--- no_error_log
[emerg]
[error]



=== TEST 2: "prism_upload off" leaves the location alone
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
--- config
    location /off {
        prism_upload off;
        return 204;
    }
--- request
POST /off
--- error_code: 204
--- no_error_log
[error]



=== TEST 3: credentials from a profile of a credentials file
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials profile uploader ../html/aws-credentials;
--- user_files
>>> aws-credentials
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = default-secret
[uploader]
aws_access_key_id = AKIDUPLOADER
aws_secret_access_key = uploader-secret
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error_code: 201
--- no_error_log
[error]



=== TEST 4: an unknown image type
--- config
    location /upload {
        prism_types jpeg tiff;
    }
--- must_die
--- error_log
prism: invalid value "tiff" in "prism_types" directive, expected jpeg, png, webp, gif, heic, heif, avif



=== TEST 5: prism_types twice
--- config
    location /upload {
        prism_types jpeg;
        prism_types png;
    }
--- must_die
--- error_log
"prism_types" directive is duplicate



=== TEST 6: a topic ARN that is not an SNS ARN
--- config
    location /upload {
        prism_sns_topic_arn arn:aws:sqs:us-east-1:$TEST_NGINX_AWS_ACCOUNT:prism-uploads;
    }
--- must_die
--- error_log eval
qq{prism: invalid value "arn:aws:sqs:us-east-1:$ENV{TEST_NGINX_AWS_ACCOUNT}:prism-uploads" in "prism_sns_topic_arn" directive, expected arn:aws:sns:REGION:ACCOUNT:TOPIC}



=== TEST 7: a topic ARN with a bad account
--- config
    location /upload {
        prism_sns_topic_arn arn:aws:sns:us-east-1:12345:uploads;
    }
--- must_die
--- error_log
prism: invalid value "arn:aws:sns:us-east-1:12345:uploads" in "prism_sns_topic_arn" directive



=== TEST 8: an endpoint with a path
--- http_config
    prism_aws_endpoint http://127.0.0.1:4566/api;
--- config
--- must_die
--- error_log
prism: invalid value "http://127.0.0.1:4566/api" in "prism_aws_endpoint" directive, expected http(s)://host[:port]



=== TEST 9: an S3 endpoint that is not http(s)
--- http_config
    prism_s3_endpoint ftp://127.0.0.1;
--- config
--- must_die
--- error_log
prism: invalid value "ftp://127.0.0.1" in "prism_s3_endpoint" directive, expected http(s)://host[:port]



=== TEST 10: an SNS endpoint without a host
--- http_config
    prism_sns_endpoint https://;
--- config
--- must_die
--- error_log
prism: invalid value "https://" in "prism_sns_endpoint" directive, expected http(s)://host[:port]



=== TEST 11: an unknown credentials source
--- http_config
    prism_credentials vault;
--- config
--- must_die
--- error_log
prism: invalid value "vault" in "prism_credentials" directive, expected default, env or profile NAME [FILE]



=== TEST 12: "prism_credentials env" without keys in the environment
--- without_aws_keys
--- http_config
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- must_die
--- error_log
prism: "prism_credentials env" needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in nginx's environment



=== TEST 13: a bad region
--- http_config
    prism_region US_EAST;
--- config
--- must_die
--- error_log
prism: invalid value "US_EAST" in "prism_region" directive, expected an AWS region such as us-east-1



=== TEST 14: an unknown store
--- config
    location /upload {
        prism_store ftp;
    }
--- must_die
--- error_log
invalid value "ftp"



=== TEST 15: prism_upload takes on or off
--- config
    location /upload {
        prism_upload maybe;
    }
--- must_die
--- error_log
invalid value "maybe" in "prism_upload" directive, it must be "on" or "off"



=== TEST 16: prism_upload belongs in a location
--- http_config
    prism_upload on;
--- config
--- must_die
--- error_log
"prism_upload" directive is not allowed here



=== TEST 17: zero pixels
--- config
    location /upload {
        prism_max_pixels 0;
    }
--- must_die
--- error_log
prism: "prism_max_pixels" must be greater than 0



=== TEST 18: pixels that are not a number
--- config
    location /upload {
        prism_max_pixels 40M;
    }
--- must_die
--- error_log
"prism_max_pixels" directive invalid number



=== TEST 19: a bad byte limit
--- config
    location /upload {
        prism_max_bytes lots;
    }
--- must_die
--- error_log
"prism_max_bytes" directive invalid value



=== TEST 20: a bad publish timeout
--- config
    location /upload {
        prism_publish_timeout soon;
    }
--- must_die
--- error_log
"prism_publish_timeout" directive invalid value



=== TEST 21: a bad store timeout
--- config
    location /upload {
        prism_store_timeout -1;
    }
--- must_die
--- error_log
"prism_store_timeout" directive invalid value



=== TEST 22: a multipart threshold under the smallest S3 part
--- config
    location /upload {
        prism_s3_multipart_threshold 1m;
    }
--- must_die
--- error_log
prism: "prism_s3_multipart_threshold" must be at least 5m, the smallest S3 part



=== TEST 23: a key template without {id} or {sha256}
--- config
    location /upload {
        prism_key_template "{yyyy}/{mm}/photo.{ext}";
    }
--- must_die
--- error_log
prism: "prism_key_template" must contain {id} or {sha256} so that every upload gets its own key



=== TEST 24: a key template with an unknown variable
--- config
    location /upload {
        prism_key_template "{user}/{id}.{ext}";
    }
--- must_die
--- error_log eval
qr/prism: invalid value "\{user\}\/\{id\}\.\{ext\}" in "prism_key_template" directive, .*user/



=== TEST 25: a key template leaving its prefix
--- config
    location /upload {
        prism_key_template "../{id}.{ext}";
    }
--- must_die
--- error_log
prism: invalid value "../{id}.{ext}" in "prism_key_template" directive



=== TEST 26: an unknown status format
--- config
    location /status {
        prism_status xml;
    }
--- must_die
--- error_log
prism: invalid value "xml" in "prism_status" directive, expected prometheus or json



=== TEST 27: an unknown S3 addressing style
--- http_config
    prism_s3_addressing dns;
--- config
--- must_die
--- error_log
invalid value "dns"



=== TEST 28: prism_verify_tls takes on or off
--- http_config
    prism_verify_tls sometimes;
--- config
--- must_die
--- error_log
invalid value "sometimes" in "prism_verify_tls" directive, it must be "on" or "off"



=== TEST 29: prism_s3_check_existing takes on or off
--- http_config
    prism_s3_check_existing sometimes;
--- config
--- must_die
--- error_log
invalid value "sometimes" in "prism_s3_check_existing" directive, it must be "on" or "off"



=== TEST 30: a bad connect timeout
--- http_config
    prism_aws_connect_timeout fast;
--- config
--- must_die
--- error_log
"prism_aws_connect_timeout" directive invalid value



=== TEST 31: S3 storage needs a bucket
--- http_config
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- must_die
--- error_log
prism: "prism_bucket" is required with "prism_store s3"



=== TEST 32: local storage needs a directory
--- http_config
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_store local;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- must_die
--- error_log
prism: "prism_local_dir" is required with "prism_store local"



=== TEST 33: uploads need a topic
--- http_config
    prism_credentials env;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
    }
--- must_die
--- error_log
prism: "prism_sns_topic_arn" is required with "prism_upload"



=== TEST 34: a thread pool that does not exist
--- http_config
    prism_credentials env;
    prism_thread_pool nosuchpool;
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
    }
--- must_die
--- error_log
unknown thread pool "nosuchpool"



=== TEST 35: a bad bucket expression
--- config
    location /upload {
        prism_bucket "prism-$";
    }
--- must_die
--- error_log
invalid variable name
