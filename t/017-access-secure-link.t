# Signed upload URLs for clients without a session, with nginx's
# secure_link: the link carries an expiry and an MD5 over the expiry, the
# URI, the user it was issued to and a secret (minted here as the
# openssl one-liner of docs/access-control.md does).  A valid link
# uploads, under the user the link names; an expired, forged or altered
# one is 403 and nothing is stored or published.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use Digest::MD5 qw(md5_base64);
use PrismTest;
use AccessTest;

our $Jpeg   = PrismTest::image('jpeg-gray.jpg');
our $Secret = 'prism-link-secret';

# The query string of a link to /upload for USER that expires at EXPIRES
# (Unix time): md5 = base64url(MD5("EXPIRES/upload USER SECRET")), no
# padding, as secure_link_md5 below computes it.
sub link_args {
    my ($expires, $user) = @_;
    (my $md5 = md5_base64("$expires/upload $user $Secret")) =~ tr{+/}{-_};
    return "md5=$md5&expires=$expires&user=$user";
}

our $Valid   = link_args(time + 3600, 'carol');
our $Expired = link_args(time - 60, 'carol');
(our $Forged = $Valid) =~ s/md5=(.)/'md5=' . ($1 eq 'A' ? 'B' : 'A')/e;
(our $Other  = $Valid) =~ s/user=carol/user=mallory/;
(our $Longer = $Valid) =~ s/expires=(\d+)/'expires=' . ($1 + 86400)/e;

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n");
    $block->set_value(http_config => <<'HTTP');
    prism_aws_endpoint $TEST_NGINX_AWS_ENDPOINT;
    prism_credentials env;
    log_format prism '$status $prism_outcome $prism_key $prism_image_id';
HTTP
    $block->set_value(config => <<'CONFIG');
    location = /upload {
        secure_link $arg_md5,$arg_expires;
        secure_link_md5 "$secure_link_expires$uri $arg_user prism-link-secret";
        if ($secure_link != "1") {
            return 403;
        }
        prism_upload on;
        prism_bucket prism-ingest;
        prism_key_template "user-uploads/$arg_user/{id}.{ext}";
        prism_user $arg_user;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/prism.log prism;
    }
CONFIG
});

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run;
    my $name = $block->name;
    check_user_upload($name, $body, $Jpeg, 'user-uploads/carol/', 'carol') if $block->valid;
    check_refused($name, 403) if $block->refused;
});

run_tests();

__DATA__

=== TEST 1: a valid link uploads, under the user it was issued to
--- raw_request eval
PrismTest::upload_request(POST => "/upload?$main::Valid", $main::Jpeg)
--- error_code: 201
--- valid: 1
--- no_error_log
[error]



=== TEST 2: an expired link: 403, nothing stored
--- raw_request eval
PrismTest::upload_request(POST => "/upload?$main::Expired", $main::Jpeg)
--- error_code: 403
--- refused: 1



=== TEST 3: a forged signature: 403, nothing stored
--- raw_request eval
PrismTest::upload_request(POST => "/upload?$main::Forged", $main::Jpeg)
--- error_code: 403
--- refused: 1



=== TEST 4: a valid link for another user: 403
--- raw_request eval
PrismTest::upload_request(POST => "/upload?$main::Other", $main::Jpeg)
--- error_code: 403
--- refused: 1



=== TEST 5: a valid link whose expiry was moved: 403
--- raw_request eval
PrismTest::upload_request(POST => "/upload?$main::Longer", $main::Jpeg)
--- error_code: 403
--- refused: 1



=== TEST 6: no link at all: 403
--- raw_request eval
PrismTest::upload_request(POST => '/upload', $main::Jpeg)
--- error_code: 403
--- refused: 1
