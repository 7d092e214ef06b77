# The whole pipeline end to end, as `make demo` runs it, on a few small
# images: curl uploads (raw PUT, raw POST, multipart form) to nginx with the
# prism module → S3 + SNS → one SQS queue per role → prism-host with the
# thumbnail, webp, watermark and avif plugins → derivatives in S3, the image
# record in DynamoDB (read back with nginx's GET /images/ID) and one
# completion event per route.  Every derivative's existence, type and
# dimensions are checked, the queues and DLQs are empty afterwards, and
# corrupt uploads are refused at ingress (4xx JSON, nothing stored or
# published).
#
# The stack is scripts/stack.sh in build/stack/e2e on its own emulator
# ports (PRISM_E2E_AWS_PORT / PRISM_E2E_DYNAMODB_PORT, default 4614 /
# 4615), so it disturbs neither a developer's emulator nor other suites;
# it is stopped at the end, whatever happens.
#
# The oracle is independent of prism's code: objects and queues are read
# from the emulator with plain HTTP, types and dimensions from the files'
# headers with scripts/lib/PrismImageHeader.pm.
use strict;
use warnings;

use Cwd qw(abs_path);
use Compress::Zlib qw(compress crc32);
use Digest::SHA qw(sha256_hex);
use File::Temp qw(tempdir);
use FindBin;
use HTTP::Tiny;
use JSON::PP;
use List::Util qw(max);
use POSIX ();
use Test::More;
use Time::HiRes qw(time sleep);

use lib "$FindBin::Bin/../../scripts/lib";
use PrismImageHeader;

my $root = abs_path("$FindBin::Bin/../..");
chdir $root or die "$root: $!";
# this suite's own stack: nothing of a developer's stack settings applies
delete $ENV{$_} for grep { /^PRISM_STACK_/ } keys %ENV;
$ENV{PRISM_STACK_DIR} = "$root/build/stack/e2e";
$ENV{PRISM_STACK_AWS_PORT} = $ENV{PRISM_E2E_AWS_PORT} || 4614;
$ENV{PRISM_STACK_DYNAMODB_PORT} = $ENV{PRISM_E2E_DYNAMODB_PORT} || 4615;
# small sizes, so that the fixtures are really resized
my @SIZES = (48, 96, 200);
my $WEBP_MAX = 120;
my $AVIF_MAX = 100;
$ENV{PRISM_STACK_THUMBNAIL_SIZES} = join ',', @SIZES;
$ENV{PRISM_STACK_WEBP_MAX} = $WEBP_MAX;
$ENV{PRISM_STACK_AVIF_MAX} = $AVIF_MAX;

my $http = HTTP::Tiny->new(timeout => 10);
my $json = JSON::PP->new->canonical;
my $tmp = tempdir('prism-e2e-XXXXXX', TMPDIR => 1, CLEANUP => 1);

# run_logged(LOG, CMD...): runs CMD with its output appended to LOG;
# true when it exits 0, else false with LOG shown.
sub run_logged {
    my ($log, @cmd) = @_;
    my $pid = fork() // die "fork: $!";
    if ($pid == 0) {
        open(STDOUT, '>>', $log) or POSIX::_exit(127);
        open(STDERR, '>&', \*STDOUT) or POSIX::_exit(127);
        exec(@cmd) or POSIX::_exit(127);
    }
    waitpid($pid, 0);
    return 1 if $? == 0;
    diag("@cmd failed:\n", -f $log ? slurp($log) : '');
    return 0;
}

# stack(ARGS...): scripts/stack.sh ARGS, logged.
my $stack_log = "$root/build/stack/e2e-stack.log";
sub stack { return run_logged($stack_log, "$root/scripts/stack.sh", @_) }

my $started = 0;
END {
    my $rc = $?;
    if ($started) {
        stack('stop') or $rc ||= 1;
    }
    $? = $rc;
}

mkdir "$root/build/stack";
unlink $stack_log;
stack('stop') or BAIL_OUT('a stack left in build/stack/e2e by an earlier run does not stop');
stack('start') or BAIL_OUT('scripts/stack.sh start failed');
$started = 1;
my %env = map { /^export (\w+)=(.*)$/ ? ($1, $2) : () } `$root/scripts/stack.sh env`;
my $aws = $env{PRISM_AWS_ENDPOINT} or BAIL_OUT('no PRISM_AWS_ENDPOINT from scripts/stack.sh env');
my $upload_url = $env{PRISM_UPLOAD_URL};
# PRISM_AWS_ACCOUNT makes the emulator another account than its default
# (scripts/local-aws.sh): then every queue URL the stack uses names it
if (my $account = $ENV{PRISM_AWS_ACCOUNT}) {
    like(queue_url('prism-thumbnail'), qr{/\Q$account\E/prism-thumbnail$},
         "the stack runs as account $account, found by provisioning");
}
# queue_url(NAME): the URL provisioning returned for queue NAME (from the
# stack's env: PRISM_QUEUE_URL_<NAME>; no account id is written down)
sub queue_url {
    my ($name) = @_;
    (my $var = 'PRISM_QUEUE_URL_' . uc $name) =~ s/[^A-Z0-9_]/_/g;
    return $env{$var} // BAIL_OUT("no $var from scripts/stack.sh env");
}
my @ROLES = qw(thumbnail webp watermark avif);

# ---- helpers ----------------------------------------------------------------------

# slurp(PATH): the file's bytes; dies when unreadable.
sub slurp {
    my ($path) = @_;
    open(my $fh, '<:raw', $path) or die "$path: $!";
    local $/;
    return <$fh>;
}

# upload(FILE, MODE): curl's answer as (status, decoded JSON or undef).
sub upload {
    my ($file, $mode) = @_;
    my @how = $mode eq 'put'  ? ('-T', $file)
            : $mode eq 'post' ? ('--data-binary', "\@$file", '-H', 'Content-Type: application/octet-stream')
            :                   ('-F', "photo=\@$file", '-F', 'title=e2e');
    open(my $curl, '-|', 'curl', '-sS', '--max-time', '30', '-o', "$tmp/answer", '-w', '%{http_code}',
         @how, $upload_url) or die "curl: $!";
    my $code = <$curl> // 0;
    close $curl;
    my $answer = -s "$tmp/answer" ? eval { $json->decode(slurp("$tmp/answer")) } : undef;
    unlink "$tmp/answer";
    return ($code, $answer);
}

sub s3_url {
    my ($bucket, $key) = @_;
    return "$aws/$bucket/" . join('/', map { my $s = $_; $s =~ s/([^A-Za-z0-9_.~-])/sprintf '%%%02X', ord $1/ge; $s }
                                  split m{/}, $key, -1);
}

# s3_get(BUCKET, KEY): the object's bytes, or undef when it does not exist.
sub s3_get {
    my $r = $http->get(s3_url(@_));
    return $r->{success} ? $r->{content} : undef;
}

# s3_count(BUCKET): how many objects the bucket holds.
sub s3_count {
    my ($bucket) = @_;
    my $r = $http->get("$aws/$bucket?list-type=2");
    die "ListObjectsV2 $bucket: $r->{status}" unless $r->{success};
    my $n = () = $r->{content} =~ /<Key>/g;
    return $n;
}

# queue_depth(NAME): visible + in flight + delayed messages of a queue.
sub queue_depth {
    my ($name) = @_;
    my $r = $http->post("$aws/", {
        headers => { 'X-Amz-Target' => 'AmazonSQS.GetQueueAttributes',
                     'Content-Type' => 'application/x-amz-json-1.0' },
        content => $json->encode({ QueueUrl => queue_url($name), AttributeNames => ['All'] }) });
    die "GetQueueAttributes $name: $r->{status} $r->{content}" unless $r->{success};
    my $a = $json->decode($r->{content})->{Attributes};
    my $n = 0;
    $n += $a->{$_} // 0 for qw(ApproximateNumberOfMessages ApproximateNumberOfMessagesNotVisible
                                ApproximateNumberOfMessagesDelayed);
    return $n;
}

# metric(URL, NAME, LABELS): a value of a Prometheus text endpoint.
sub metric {
    my ($url, $name, $labels) = @_;
    my $r = $http->get($url);
    return undef unless $r->{success};
    my $sel = quotemeta($name) . (defined $labels ? quotemeta("{$labels}") : '');
    return $r->{content} =~ /^$sel (\S+)$/m ? $1 + 0 : undef;
}

# wait_for(SECONDS, CODE): polls CODE every 0.1 s; its last result.
sub wait_for {
    my ($limit, $code) = @_;
    my $until = time + $limit;
    my $v;
    until (($v = $code->()) || time > $until) { sleep 0.1 }    # poll: until the condition holds or the deadline
    return $v;
}

# fit(W, H, BOX): the size of W x H scaled to fit BOX x BOX, never enlarged.
sub fit {
    my ($w, $h, $box) = @_;
    return ($w, $h) if $w <= $box && $h <= $box;
    return $w >= $h ? ($box, $h * $box / $w) : ($w * $box / $h, $box);
}

# png(W, H): an RGB PNG with gradients and a checker pattern, made here
# (no photo corpus needed).
sub png {
    my ($w, $h) = @_;
    my $raw = '';
    for my $y (0 .. $h - 1) {
        $raw .= "\0" . pack('C*', map { (255 * $_ / $w, 255 * $y / $h, (($_ >> 5) ^ ($y >> 5)) & 1 ? 220 : 40) }
                                  0 .. $w - 1);
    }
    my $chunk = sub { pack('N', length $_[1]) . $_[0] . $_[1] . pack('N', crc32($_[0] . $_[1])) };
    return "\x89PNG\r\n\x1A\n" . $chunk->('IHDR', pack('NNCCCCC', $w, $h, 8, 2, 0, 0, 0))
         . $chunk->('IDAT', compress($raw)) . $chunk->('IEND', '');
}

# spit(PATH, BYTES): writes BYTES to PATH.
sub spit {
    my ($path, $bytes) = @_;
    open(my $fh, '>:raw', $path) or die "$path: $!";
    print $fh $bytes;
    close $fh;
}

# ---- the images -----------------------------------------------------------------------

# Made here: a 900x560 PNG, and a JPEG of it (the thumbnail plugin run
# locally with prism-run-plugin, at the PNG's own size).
spit("$tmp/generated.png", png(900, 560));
run_logged("$tmp/run-plugin.log", "$root/build/prism-run-plugin", '-p', '{"sizes": [900], "quality": 90}',
           '-o', "$tmp/jpeg", "$root/build/plugins/thumbnail.so", "$tmp/generated.png")
    or BAIL_OUT('prism-run-plugin could not make the generated JPEG');
rename("$tmp/jpeg/generated/thumbnail/900.jpg", "$tmp/generated.jpg") or BAIL_OUT("generated.jpg: $!");

my $data = "$root/tests/data/images";
# a wide-gamut photo: the baseline JPEG converted into Adobe RGB (1998), its
# profile embedded (jpgicc, liblcms2-utils; the profile from icc-profiles-free)
run_logged("$tmp/jpgicc.log", 'jpgicc', '-o', '/usr/share/color/icc/compatibleWithAdobeRGB1998.icc', '-e',
           "$data/jpeg-baseline-420.jpg", "$tmp/adobe-rgb-tagged.jpg")
    or BAIL_OUT('jpgicc could not make the Adobe RGB copy');
my @cases = (
    ["$data/jpeg-baseline-420.jpg", 'post'],
    ["$data/jpeg-progressive.jpg",  'form'],
    ["$data/jpeg-orient-6.jpg",     'put'],     # stored 64x40, upright 40x64
    ["$data/jpeg-cmyk.jpg",         'form'],
    ["$data/jpeg-gray.jpg",         'put'],
    ["$data/png-rgba.png",          'form'],
    ["$data/webp-lossy.webp",       'put'],     # WebP is an allowed upload type:
    ["$data/webp-alpha.webp",       'form'],    # every route must take it
    ["$tmp/generated.png",          'post'],
    ["$tmp/generated.jpg",          'form'],
    ["$data/heic-64x48.heic",       'put'],     # what phones upload,
    ["$data/avif-64x48.avif",       'form'],    # browsers and design tools:
    ["$data/gif-animated.gif",      'post'],    # every route takes each kind
    ["$data/jpeg-rgb-adobe.jpg",    'put'],     # the door accepts by default
    ["$tmp/adobe-rgb-tagged.jpg",   'form'],
);

# ---- a corrupt upload is refused at ingress -----------------------------------------------

spit("$tmp/truncated.jpg", substr(slurp("$data/jpeg-baseline-420.jpg"), 0, 60));
spit("$tmp/text.jpg", "this is not an image\n" x 20);
for my $bad (['truncated.jpg', 'post', 400, 'invalid_image'], ['truncated.jpg', 'form', 400, 'invalid_image'],
             ['text.jpg', 'put', 415, 'unsupported_type']) {
    my ($name, $mode, $status, $error) = @$bad;
    my ($code, $answer) = upload("$tmp/$name", $mode);
    is($code, $status, "corrupt $name ($mode): refused with $status");
    is($answer && $answer->{error}, $error, "corrupt $name ($mode): JSON error $error");
}
is(s3_count('prism-ingest'), 0, 'corrupt uploads: nothing stored in the ingest bucket');
is(metric($env{PRISM_STATUS_URL}, 'prism_publishes_total', 'result="ok"'), 0,
   'corrupt uploads: nothing published');

# ---- uploads ------------------------------------------------------------------------------

my @uploads;
for my $c (@cases) {
    my ($file, $mode) = @$c;
    (my $name = $file) =~ s{.*/}{};
    my $bytes = slurp($file);
    my $info = PrismImageHeader::parse($bytes) or BAIL_OUT("$name: no image header");
    my ($code, $a) = upload($file, $mode);
    is($code, 201, "$name ($mode): 201 Created") or diag(explain($a));
    next unless $code == 201 && $a;
    is($a->{bucket}, 'prism-ingest', "$name: bucket");
    like($a->{key}, qr{^originals/\d{4}/\d\d/\d\d/[0-9a-f-]{36}\.(?:jpg|png|webp|heic|avif|gif)$}, "$name: generated key");
    is_deeply([@$a{qw(contentType width height size sha256)}],
              [$info->{mime}, $info->{width}, $info->{height}, length $bytes, sha256_hex($bytes)],
              "$name: type, dimensions, size and SHA-256 in the answer");
    my $stored = s3_get('prism-ingest', $a->{key});
    ok(defined $stored && sha256_hex($stored) eq sha256_hex($bytes), "$name: the original is stored as sent");
    my ($w, $h) = ($info->{orientation} // 1) >= 5 ? @$info{qw(height width)} : @$info{qw(width height)};
    push @uploads, { name => $name, key => $a->{key}, id => $a->{imageId}, upright => [$w, $h],
                     width => $info->{width}, height => $info->{height} };
}

# ---- derivatives ------------------------------------------------------------------------------

# expected: [route, suffix, type, [width, height]] of each derivative
sub expected {
    my ($u) = @_;
    my ($w, $h) = @{ $u->{upright} };
    return ((map { ['thumbnail', "$_.jpg", 'jpeg', [fit($w, $h, $_)]] } @SIZES),
            ['webp', 'image.webp', 'webp', [fit($w, $h, $WEBP_MAX)]],
            ['watermark', 'watermarked.jpg', 'jpeg', [$w, $h]],
            ['avif', 'image.avif', 'avif', [fit($w, $h, $AVIF_MAX)]]);
}

my $n_derivatives = 0;
my $deadline = time + 45;     # for all of them together
for my $u (@uploads) {
    (my $stem = $u->{key}) =~ s/\.[^.\/]+$//;
    for my $e (expected($u)) {
        my ($route, $suffix, $type, $dims) = @$e;
        my $what = "$u->{name} → $route/$suffix";
        my $bytes = wait_for(max(0, $deadline - time), sub { s3_get('prism-derived', "$stem/$route/$suffix") });
        ok(defined $bytes, "$what: stored") or next;
        $n_derivatives++;
        my $info = PrismImageHeader::parse($bytes);
        is($info && $info->{type}, $type, "$what: a $type by its magic bytes") or next;
        $u->{got}{"$route/$suffix"} = { width => $info->{width}, height => $info->{height}, sha => sha256_hex($bytes) };
        # the long side exactly, the other rounded either way
        my ($ew, $eh) = @$dims;
        my $ok = $ew >= $eh ? $info->{width} == $ew && abs($info->{height} - $eh) <= 1
                            : $info->{height} == $eh && abs($info->{width} - $ew) <= 1;
        ok($ok, sprintf('%s: %dx%d (expected %dx%d)', $what, $info->{width}, $info->{height},
                        $ew + 0.5, $eh + 0.5));
        is($info->{orientation}, 1, "$what: upright, no EXIF rotation left") if $type eq 'jpeg';
        is($info->{components}, 1, "$what: grayscale stays grayscale")
            if $route eq 'thumbnail' && $u->{name} eq 'jpeg-gray.jpg';
    }
}
is($n_derivatives, @uploads * (@SIZES + 3), 'every derivative exists');

# ---- queues and counters afterwards ---------------------------------------------------------------

my $n = @uploads;
for my $role (@ROLES) {
    ok(wait_for(10, sub { queue_depth("prism-$role") == 0 }), "queue prism-$role drained");
    is(queue_depth("prism-$role-dlq"), 0, "DLQ prism-$role-dlq empty");
    is(metric($env{PRISM_METRICS_URL}, 'prism_messages_received_total', qq{route="$role"}), $n,
       "$role: prism-host received exactly one message per accepted upload (none for the corrupt ones)");
    is(metric($env{PRISM_METRICS_URL}, 'prism_messages_ok_total', qq{route="$role"}), $n,
       "$role: every message processed ok");
    is(metric($env{PRISM_METRICS_URL}, 'prism_messages_dead_lettered_total', qq{route="$role"}), 0,
       "$role: nothing dead-lettered");
}
is(s3_count('prism-ingest'), $n, 'the ingest bucket holds the accepted originals only');

# ---- the image records (nginx's lookup of prism-host's DynamoDB items) ------------------------

my $lookup = $env{PRISM_LOOKUP_URL};
for my $u (@uploads) {
    my $r = $http->get("$lookup/$u->{id}");
    is($r->{status}, 200, "$u->{name}: GET /images/ID answers") or next;
    my $rec = $json->decode($r->{content});
    is_deeply([@$rec{qw(imageId key width height)}], [$u->{id}, $u->{key}, @$u{qw(width height)}],
              "$u->{name}: the record describes the original");
    is($rec->{routes}{$_}{status}, 'ok', "$u->{name}: the record says $_ ok") for @ROLES;
    for my $e (expected($u)) {
        my ($route, $suffix) = @$e;
        my $got = $u->{got}{"$route/$suffix"} or next;
        my ($out) = grep { ($_->{key} // '') =~ m{/\Q$route/$suffix\E$} }
                    @{ $rec->{routes}{$route}{outputs} || [] };
        is_deeply($out && [@$out{qw(width height)}], [@$got{qw(width height)}],
                  "$u->{name}: the record lists $route/$suffix with its dimensions");
        my $r2 = $out && $out->{url} ? $http->get($out->{url}) : { success => 0 };
        ok($r2->{success} && sha256_hex($r2->{content}) eq $got->{sha},
           "$u->{name}: $route/$suffix is what the record's URL serves");
    }
}
is($http->get("$lookup/no-such-image")->{status}, 404, 'an unknown image id: 404');

# ---- completion events: one per route and accepted upload ----------------------------------

my %completed;
my $completions = queue_url('prism-completions-test');
for my $round (1 .. 20) {
    my $r = $http->post("$aws/", {
        headers => { 'X-Amz-Target' => 'AmazonSQS.ReceiveMessage',
                     'Content-Type' => 'application/x-amz-json-1.0' },
        content => $json->encode({ QueueUrl => $completions, MaxNumberOfMessages => 10,
                                   WaitTimeSeconds => 1 }) });
    my @msgs = $r->{success} ? @{ $json->decode($r->{content})->{Messages} || [] } : ();
    last unless @msgs;
    for my $m (@msgs) {
        my $ev = eval { $json->decode($m->{Body}) } or next;
        $completed{"$ev->{imageId} $ev->{route} $ev->{status}"}++;
        $http->post("$aws/", {
            headers => { 'X-Amz-Target' => 'AmazonSQS.DeleteMessage',
                         'Content-Type' => 'application/x-amz-json-1.0' },
            content => $json->encode({ QueueUrl => $completions, ReceiptHandle => $m->{ReceiptHandle} }) });
    }
}
is_deeply(\%completed, { map { my $u = $_; map { ("$u->{id} $_ ok" => 1) } @ROLES } @uploads },
          'one "ok" completion event per route and accepted upload, none for the corrupt ones');
is(metric($env{PRISM_STATUS_URL}, 'prism_uploads_total', 'outcome="created"'), $n,
   'nginx counted the accepted uploads');
is(metric($env{PRISM_STATUS_URL}, 'prism_uploads_total', 'outcome="invalid_image"'), 2,
   'nginx counted the corrupt ones');

done_testing();
