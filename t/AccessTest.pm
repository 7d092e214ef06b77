package AccessTest;

# Helpers of the access-control suites (t/016-*.t to t/019-*.t): the
# upload a block made, read back from an access log written with
#   log_format prism '$status $prism_outcome $prism_key $prism_image_id';
# the checks that a refused upload stored and published nothing, and
# that an accepted one is stored and announced under its user; and image
# records written into DynamoDB the way prism-host writes an original's
# attributes (with the prism-ddb CLI built next to TEST_NGINX_PRISM_AWS).

use strict;
use warnings;

use Exporter 'import';
use File::Basename qw(dirname);
use JSON::PP qw(decode_json encode_json);
use Test::More;
use Time::HiRes qw(sleep);
use PrismTest;

our @EXPORT = qw(last_uploads check_refused check_user_upload record_original);

# The last N lines (default 1) of the server root's logs/prism.log, each
# split into [status, outcome, key, image id]; waits up to 2 s for them
# (nginx logs a request when it frees it, a moment after the answer).
sub last_uploads {
    my ($n) = @_;
    $n //= 1;
    my $log = "$ENV{TEST_NGINX_SERVER_ROOT}/logs/prism.log";
    for (1 .. 40) {
        if (open my $fh, '<', $log) {
            my @lines = <$fh>;
            return map { [ split ' ' ] } @lines[-$n .. -1] if @lines >= $n;
        }
        sleep 0.05;    # poll: until the condition holds or the deadline
    }
    return;
}

# Checks that the last request of block NAME was answered STATUS and
# left nothing behind: no object under the key it may have got, no event
# for its image id, and none at all waiting in the suites' queue.
sub check_refused {
    my ($name, $status) = @_;
    my ($line) = last_uploads();
    ok($line, "$name - the request is logged") or return;
    my ($st, $outcome, $key, $id) = @$line;
    is($st, $status, "$name - logged status");
    ok($key eq '-' || !defined s3_object($Bucket, $key), "$name - nothing is stored (key $key)");
    ok($id eq '-' || no_event($id), "$name - no event for image $id");
    ok(no_event(), "$name - no event at all is waiting");
}

# Checks the 201 BODY of block NAME: the object holds BYTES under a key
# that starts with PREFIX, and its event carries prism.userId USER and
# the user_id attribute USER.  Returns the decoded answer.
sub check_user_upload {
    my ($name, $body, $bytes, $prefix, $user) = @_;
    my $res = eval { decode_json($body) };
    ok($res && $res->{imageId}, "$name - the answer describes the upload") or return;
    like($res->{key}, qr/^\Q$prefix\E[0-9a-f-]{36}\.\w+$/, "$name - key under $prefix");
    is(s3_object($res->{bucket}, $res->{key}), $bytes, "$name - the stored object holds the bytes");
    my $ev = receive_event($res->{imageId});
    ok($ev, "$name - the event arrived") or return $res;
    is($ev->{body}{prism}{userId}, $user, "$name - event: prism.userId");
    is($ev->{attributes}{user_id}{value}, $user, "$name - event: user_id attribute");
    is($ev->{body}{prism}{key}, $res->{key}, "$name - event: key");
    return $res;
}

# Records the original of image ID in prism-images as prism-host does
# (each attribute if_not_exists), owned by OWNER when it is defined.
# Dies when the write fails.
sub record_original {
    my ($id, $owner) = @_;
    my %attrs = (bucket => $Bucket, key => "user-uploads/$id.jpg", contentType => 'image/jpeg',
                 width => 161, height => 97, size => 2258, routes => {});
    $attrs{userId} = $owner if defined $owner;
    my @names = sort keys %attrs;
    my @cmd = (dirname($ENV{TEST_NGINX_PRISM_AWS}) . '/prism-ddb',
               '--dynamodb-endpoint-url', $ENV{TEST_NGINX_DYNAMODB_ENDPOINT},
               'update', 'prism-images', '--plain', '--key', encode_json({ imageId => $id }),
               '--update', 'SET ' . join(', ', map { "#$_ = if_not_exists(#$_, :$_)" } @names),
               '--names', encode_json({ map { ("#$_" => $_) } @names }),
               '--values', encode_json({ map { (":$_" => $attrs{$_}) } @names }));
    local $ENV{AWS_REGION} = $Region;
    system(@cmd) == 0 or die "AccessTest: recording image $id failed ($?)\n";
}

1;
