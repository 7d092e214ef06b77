# Secrets never reach the logs: uploads that succeed and uploads that fail
# (AWS errors whose bodies quote the request, as S3's SignatureDoesNotMatch
# does, and unreachable endpoints) are run at debug level with known
# credentials, from the environment ("prism_credentials env") and from a
# profile file, each with a session token; neither the secret key nor the
# session token may appear in the error log or in an access log of every
# $prism_* variable.  A stock nginx between the module and the emulator
# records the token it received (in a log of its own), which shows that
# the token was really sent with those requests.

use lib 't';

BEGIN {
    # known values for "prism_credentials env" (whatever the caller's
    # environment holds: no real key may end up in the test logs)
    $ENV{AWS_ACCESS_KEY_ID}     = 'AKIDPRISMSECRETSENV1';
    $ENV{AWS_SECRET_ACCESS_KEY} = 'env/Secret+Key/never-logged-6b1f0c2e9d';
    $ENV{AWS_SESSION_TOKEN}     = 'envSessionToken/never+logged/4a7d3e90c1f2';
}

use Test::Nginx::Socket 'no_plan';
use PrismTest;
use File::Temp qw(tempdir);

log_level('debug');

our $ProfileSecret = 'profile/Secret+Key/never-logged-93c2a1d7e5';
our $ProfileToken  = 'profileSessionToken/never+logged/5e8b0f13a6d4';

my $Dir = tempdir(CLEANUP => 1);
open my $fh, '>', "$Dir/credentials" or die "cannot write the credentials file: $!\n";
print $fh "[prism-secrets]\n",
          "aws_access_key_id = AKIDPRISMSECRETSFILE\n",
          "aws_secret_access_key = $ProfileSecret\n",
          "aws_session_token = $ProfileToken\n";
close $fh;

$ENV{TEST_NGINX_CREDENTIALS_FILE} = "$Dir/credentials";

# Every $prism_* variable, for the access log.
my $AllVariables = join ' ', map { "\$prism_$_" }
    qw(image_id key bucket ext content_type width height size sha256 etag
       message_id year month day hour outcome);

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n")
        unless defined $block->main_config;
    my $http = $block->http_config // '';
    $http =~ s/\$ALL_PRISM_VARIABLES/$AllVariables/g;
    $block->set_value(http_config => $http);
    # the secrets of the block's credentials must appear nowhere
    my ($secret, $token) = defined $block->profile
                         ? ($ProfileSecret, $ProfileToken)
                         : @ENV{qw(AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN)};
    # as they are, and percent-encoded (as in a query string)
    my @leaks = map { ($_, percent_encoded($_)) } $secret, $token;
    $block->set_value(no_error_log => [@leaks, '[alert]', '[crit]']);
    $block->set_value(no_access_log => \@leaks);
    $block->set_value(secrets => [$secret, $token]);
});

sub percent_encoded {
    my ($s) = @_;
    $s =~ s/([^A-Za-z0-9_.~-])/sprintf '%%%02X', ord $1/ge;
    return $s;
}

sub slurp {
    my ($path) = @_;
    open my $in, '<:raw', $path or return '';
    local $/;
    return <$in> // '';
}

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run;
    my $name = $block->name;
    my ($secret, $token) = @{ $block->secrets };
    if (defined(my $want = $block->created)) {
        check_created($name, $body, $want);
    }
    if (defined(my $want = $block->error)) {
        check_error($name, $body, $want);
        unlike($body, qr/\Q$secret\E|\Q$token\E/, "$name - the error answer holds no secret");
    }
    # the access log is written when nginx frees the request
    my $log = "$Test::Nginx::Util::ServRoot/logs/access.log";
    my $seen = 0;
    for (1 .. 40) {
        last if ($seen = slurp($log) =~ /\/upload/);
        Time::HiRes::sleep(0.05);    # poll: until the condition holds or the deadline
    }
    ok($seen, "$name - the upload is in the access log");
    if (defined(my $sent = $block->token_sent)) {
        like(slurp("$Test::Nginx::Util::ServRoot/logs/endpoint-tokens.log"), qr/\Q$token\E/,
             "$name - the session token was sent to the $sent endpoint");
        unlike(slurp("$Test::Nginx::Util::ServRoot/logs/endpoint-tokens.log"), qr/\Q$secret\E/,
               "$name - the secret key was not sent");
    }
});

run_tests();

__DATA__

=== TEST 1: environment credentials, an upload that succeeds (SNS through a recording proxy)
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format secrets '$request $status $ALL_PRISM_VARIABLES';
    log_format token '$http_x_amz_security_token $http_authorization';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        error_log logs/endpoint-error.log info;
        access_log logs/endpoint-tokens.log token;
        location / { proxy_pass $TEST_NGINX_AWS_ENDPOINT; }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/access.log secrets;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error_code: 201
--- created eval
+{ bytes => PrismTest::image('jpeg-baseline-420.jpg'), type => 'image/jpeg', width => 161, height => 97 }
--- token_sent: SNS



=== TEST 2: environment credentials, S3 refuses the signature and quotes the request (token included)
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format secrets '$request $status $ALL_PRISM_VARIABLES';
    log_format token '$http_x_amz_security_token $http_authorization';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        error_log logs/endpoint-error.log info;
        access_log logs/endpoint-tokens.log token;
        location / {
            default_type application/xml;
            return 403 '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message><AWSAccessKeyId>$http_x_amz_security_token</AWSAccessKeyId><StringToSign>$http_authorization</StringToSign><CanonicalRequest>PUT $uri x-amz-security-token:$http_x_amz_security_token</CanonicalRequest></Error>';
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/access.log secrets;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-rgb.png'))
--- error_code: 502
--- error: store_failed
--- response_body_like: SignatureDoesNotMatch
--- error_log
prism: storing "
SignatureDoesNotMatch
--- token_sent: S3



=== TEST 3: environment credentials, SNS refuses the token (its details quote it): the original is removed
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format secrets '$request $status $ALL_PRISM_VARIABLES';
    log_format token '$http_x_amz_security_token $http_authorization';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        error_log logs/endpoint-error.log info;
        access_log logs/endpoint-tokens.log token;
        location / {
            default_type text/xml;
            return 403 '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message><Detail>$http_x_amz_security_token</Detail></Error><RequestId>secrets-3</RequestId></ErrorResponse>';
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/access.log secrets;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('webp-lossy.webp'))
--- error_code: 502
--- error: publish_failed
--- response_body_like: InvalidClientTokenId.*the stored original was removed
--- error_log
InvalidClientTokenId
--- token_sent: SNS



=== TEST 4: environment credentials, S3 unreachable
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials env;
    log_format secrets '$request $status $ALL_PRISM_VARIABLES';
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/access.log secrets;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-gray.jpg'))
--- error_code: 503
--- error: store_unavailable
--- error_log
attempt 1 failed, retrying in
--- timeout: 10



=== TEST 5: profile credentials with a session token, an upload that succeeds (S3 through a recording proxy)
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_s3_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials profile prism-secrets $TEST_NGINX_CREDENTIALS_FILE;
    log_format secrets '$request $status $ALL_PRISM_VARIABLES';
    log_format token '$http_x_amz_security_token $http_authorization';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        client_max_body_size 0;
        error_log logs/endpoint-error.log info;
        access_log logs/endpoint-tokens.log token;
        location / { proxy_pass $TEST_NGINX_AWS_ENDPOINT; }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/access.log secrets;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-rgba.png'))
--- error_code: 201
--- created eval
+{ bytes => PrismTest::image('png-rgba.png'), type => 'image/png', width => 150, height => 91 }
--- profile: 1
--- token_sent: S3



=== TEST 6: profile credentials, SNS refuses the token, and the original is removed
--- http_config
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_sns_endpoint http://127.0.0.1:$TEST_NGINX_RAND_PORT_1;
    prism_credentials profile prism-secrets $TEST_NGINX_CREDENTIALS_FILE;
    log_format secrets '$request $status $ALL_PRISM_VARIABLES';
    log_format token '$http_x_amz_security_token $http_authorization';
    server {
        listen 127.0.0.1:$TEST_NGINX_RAND_PORT_1;
        error_log logs/endpoint-error.log info;
        access_log logs/endpoint-tokens.log token;
        location / {
            default_type text/xml;
            return 403 '<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message><Detail>$http_x_amz_security_token $http_authorization</Detail></Error><RequestId>secrets-6</RequestId></ErrorResponse>';
        }
    }
--- config
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/access.log secrets;
    }
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('jpeg-baseline-420.jpg'))
--- error_code: 502
--- error: publish_failed
--- response_body_like: ExpiredToken
--- error_log
ExpiredToken
--- profile: 1
--- token_sent: SNS
