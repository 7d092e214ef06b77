# S3 through prism-aws: byte-identical round trips of 0 B, 1 MiB and
# 30 MiB (multipart), metadata, --max-bytes, missing objects.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Digest::SHA;
use File::Temp qw(tempdir);
use Test::More;
use PrismAwsCli;

my $bucket = 'prism-ingest';
my $dir = tempdir(CLEANUP => 1);
my $prefix = "tests/aws-$$/ü dir+x";

# Writes N pseudo-random bytes to PATH.
sub make_file {
    my ($path, $n) = @_;
    open my $fh, '>:raw', $path or die "$path: $!";
    my $seed = $n;
    my $block = join '', map { chr(($seed = ($seed * 1103515245 + 12345) % 2**31) >> 16 & 255) }
                         1 .. 65536;
    while ($n > 0) {
        my $k = $n < length $block ? $n : length $block;
        print $fh substr($block, 0, $k);
        $n -= $k;
        $block = reverse $block;
    }
    close $fh or die "$path: $!";
}

sub sha256_file { Digest::SHA->new(256)->addfile($_[0], 'b')->hexdigest }

for my $case ([zero => 0], [one_mib => 1 << 20], [thirty_mib => 30 << 20]) {
    my ($name, $size) = @$case;
    my $src = "$dir/$name";
    my $dst = "$dir/$name.out";
    my $key = "$prefix/$name.bin";
    make_file($src, $size);

    my ($rc, $out, $err) = cli('s3', 'put', $bucket, $key, $src,
                               '--content-type', 'application/octet-stream', '--meta', "case=$name");
    is $rc, 0, "put $name" or diag $err;
    like $out, $size > 8 << 20 ? qr/^"[0-9a-f]{32}-\d+"\n\z/ : qr/^"[0-9a-f]{32}"\n\z/,
        "put $name prints the ETag" . ($size > 8 << 20 ? ' of a multipart upload' : '');

    ($rc, $out, $err) = cli('s3', 'head', $bucket, $key);
    is $rc, 0, "head $name" or diag $err;
    my ($info) = json_lines($out);
    is $info->{size}, $size, "head reports $size bytes";
    is $info->{metadata}{case}, $name, 'metadata round trip';
    is $info->{content_type}, 'application/octet-stream', 'content type round trip';

    ($rc, $out, $err) = cli('s3', 'get', $bucket, $key, $dst);
    is $rc, 0, "get $name" or diag $err;
    is -s $dst, $size, "downloaded $size bytes";
    is sha256_file($dst), sha256_file($src), "$name is byte-identical (SHA-256)";
}

my $one = "$prefix/one_mib.bin";
my ($rc, $out, $err) = cli('s3', 'get', $bucket, $one, "$dir/limited", '--max-bytes', 1000);
is $rc, 1, 'get over --max-bytes exits 1';
like $err, qr/^prism-aws: s3 get: too-large: .* is larger than the limit of 1000 bytes/,
    'a clear too-large message';
ok !-e "$dir/limited", 'no partial file left behind';

($rc, $out, $err) = cli('s3', 'get', $bucket, $one, "$dir/exact", '--max-bytes', 1 << 20);
is $rc, 0, 'get at exactly --max-bytes succeeds' or diag $err;

for my $name (qw(zero one_mib thirty_mib)) {
    ($rc, undef, $err) = cli('s3', 'rm', $bucket, "$prefix/$name.bin");
    is $rc, 0, "rm $name" or diag $err;
}
($rc, $out, $err) = cli('s3', 'head', $bucket, $one);
is $rc, 1, 'head of a deleted object exits 1';
like $err, qr/http 404 NotFound/, 'HEAD 404 maps to NotFound';

($rc, $out, $err) = cli('s3', 'get', $bucket, $one, "$dir/missing");
is $rc, 1, 'get of a missing object exits 1';
like $err, qr/http 404 NoSuchKey: .*\(request id \S+\)/, 'NoSuchKey with its request id';

($rc, undef, $err) = cli('s3', 'put', $bucket, 'k', "$dir/does-not-exist");
is $rc, 1, 'put of a missing file exits 1';
like $err, qr/does-not-exist: No such file/, 'names the file';

done_testing;
