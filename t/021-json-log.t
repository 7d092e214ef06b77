# The JSON access log of conf/nginx.conf.in (log_format prism_json
# escape=json, docs/operations.md), taken from that file as it ships:
# each upload, stored or refused, is one line that parses as JSON, with
# the module's variables under prism-host's field names.

use lib 't';
use Test::Nginx::Socket 'no_plan';
use JSON::PP ();
use PrismTest;

# the log_format statement of conf/nginx.conf.in, verbatim
my ($format) = do {
    open my $fh, '<', 'conf/nginx.conf.in' or die "conf/nginx.conf.in: $!";
    local $/;
    <$fh> =~ /^\s*(log_format prism_json escape=json\b.*?;)\s*$/ms;
};
die 'no log_format prism_json in conf/nginx.conf.in' unless $format;

add_block_preprocessor(sub {
    my ($block) = @_;
    $block->set_value(main_config => "load_module \$TEST_NGINX_PRISM_MODULE;\n");
    $block->set_value(http_config => "prism_aws_endpoint \$TEST_NGINX_AWS_ENDPOINT;\n"
                                     . "prism_credentials env;\n$format\n");
    $block->set_value(config => <<'CONFIG');
    location /upload {
        prism_upload on;
        prism_bucket prism-ingest;
        prism_sns_topic_arn $TEST_NGINX_TOPIC_ARN;
        access_log logs/uploads.json prism_json;
    }
CONFIG
});

# The access log's last line, decoded (written when nginx frees the
# request, which may be a moment after the answer).
sub last_line {
    my $log = "$Test::Nginx::Util::ServRoot/logs/uploads.json";
    for (1 .. 40) {
        if (open my $fh, '<', $log) {
            my @lines = <$fh>;
            return $lines[-1] if @lines;
        }
        Time::HiRes::sleep(0.05);    # poll: until the condition holds or the deadline
    }
    return;
}

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    return if $dry_run;
    my $name = $block->name;
    my $line = last_line();
    my $o = eval { JSON::PP->new->decode($line // '') };
    ok(ref $o eq 'HASH', "$name - the line is one JSON object") or diag($line, $@);
    my $want = $block->logged;
    is($o->{$_}, $want->{$_}, "$name - $_") for sort keys %$want;
    like($o->{request_id}, qr/^[0-9a-f]{32}$/, "$name - request_id");
    like($o->{time}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/, "$name - time");
    if ($o->{outcome} eq 'created') {
        my $res = JSON::PP->new->decode($body);
        is($o->{key}, $res->{key}, "$name - key, as answered");
        is($o->{image_id}, $res->{imageId}, "$name - image_id, as answered");
        like($o->{message_id}, qr/\S/, "$name - message_id of the event");
        like($o->{sha256}, qr/^[0-9a-f]{64}$/, "$name - sha256");
    }
});

run_tests();

__DATA__

=== TEST 1: a stored upload
--- raw_request eval
PrismTest::upload_request(POST => '/upload', PrismTest::image('png-rgb.png'))
--- error_code: 201
--- logged eval
+{ outcome => 'created', status => 201, content_type => 'image/png', width => '150',
   height => '91', bucket => 'prism-ingest' }



=== TEST 2: a refused upload: the module's numbers are empty strings, still JSON
--- raw_request eval
PrismTest::upload_request(POST => '/upload', "GIF87a not really")
--- error_code: 400
--- logged eval
+{ outcome => 'invalid_image', status => 400, width => '', height => '', key => '', image_id => '' }
