# Bad-input catalogue: hostile or broken uploads and queue messages sent
# through a running stack (tests/faults/lib/PrismFaultStack.pm).  Each row
# names the input, how it is built (generated here, nothing large is
# committed) and what must happen: an HTTP status and error code with
# nothing stored, or a 201 whose message ends in a DLQ with a reason, or a
# 201 with a specific property.  After all rows: no nginx worker died, no
# prism-host worker died, and the ingest bucket holds only accepted uploads.
# The stack writes image records (record.table), so it needs the DynamoDB
# emulator: without it the stack does not start and the catalogue fails.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../faults/lib";
use Test::More;
use Compress::Zlib qw(crc32);
use IO::Socket::INET;
use JSON::PP;
use Time::HiRes qw(sleep time);
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;

# the host's decode budget per worker: 256 MiB
my $s = PrismFaultStack->new('bad-inputs', visibility => 3, record => 1,
                             host_extra => { memory => { decode_budget_mb => 256 } },
                             nginx_loc => 'client_body_timeout 2s;')->start;
my $images = "$FindBin::Bin/../data/images";
sub slurp { local $/; open my $fh, '<', $_[0] or die "$_[0]: $!"; return <$fh> }
my $jpeg = slurp("$images/jpeg-baseline-420.jpg");
my $png = slurp("$images/png-rgb.png");

# jpeg_sof_offset(BYTES): offset of the SOF0/SOF2 marker.
sub jpeg_sof_offset { my ($b) = @_; $b =~ /\xFF[\xC0\xC2]/g or die 'no SOF'; return pos($b) - 2 }
# jpeg_with_dims(W, H): the test JPEG with its SOF dimensions replaced.
sub jpeg_with_dims {
    my ($w, $h) = @_;
    my $b = $jpeg;
    substr($b, jpeg_sof_offset($b) + 5, 4) = pack('nn', $h, $w);
    return $b;
}
# png_with_dims(W, H): the test PNG with IHDR's dimensions replaced (CRC fixed).
sub png_with_dims {
    my ($w, $h) = @_;
    my $b = $png;
    substr($b, 16, 8) = pack('NN', $w, $h);
    substr($b, 29, 4) = pack('N', crc32(substr($b, 12, 17)));
    return $b;
}
# jpeg_corrupt_scan(): the test JPEG with its entropy-coded data replaced
# by bytes that are no valid Huffman code: the header is intact.
sub jpeg_corrupt_scan {
    my $b = $jpeg;
    $b =~ /\xFF\xDA/g or die 'no SOS';
    my $start = pos($b) + unpack('n', substr($b, pos($b), 2));
    my $len = length($b) - 2 - $start;
    # stuffed 0xFF bytes: all-one bits, which no Huffman table may use as a code
    substr($b, $start, $len) = "\xFF\x00" x int($len / 2) . ("\x00" x ($len % 2));
    return $b;
}
# jpeg_big_exif(MB): the test JPEG with MB MiB of APP1 segments before its frame.
sub jpeg_big_exif {
    my ($mb) = @_;
    my $seg = "\xFF\xE1" . pack('n', 65535) . "Exif\0\0" . ("\0" x (65535 - 8));
    my $n = int($mb * 1048576 / length $seg);
    return "\xFF\xD8" . ($seg x $n) . substr($jpeg, 2);
}
# multipart(BOUNDARY, PARTS...): a form body; each part [headers, body].
sub multipart {
    my ($bd, @parts) = @_;
    return join('', map { "--$bd\r\n$_->[0]\r\n\r\n$_->[1]\r\n" } @parts) . "--$bd--\r\n";
}
my $file_part = ['Content-Disposition: form-data; name="photo"; filename="a.jpg"' . "\r\nContent-Type: image/jpeg", $jpeg];

my $key_re = qr{^originals/\d{4}/\d\d/\d\d/[0-9a-f-]+\.(jpg|png)$};
my @rows = (
    # name, body builder, headers, expected status, expected error / check
    [ 'zero-byte body', sub { '' }, {}, 400, 'empty_body' ],
    [ 'truncated JPEG (in the header)', sub { substr($jpeg, 0, 100) }, {}, 400, 'invalid_image' ],
    [ 'truncated PNG (inside IHDR)', sub { substr($png, 0, 20) }, {}, 400, 'invalid_image' ],
    [ 'pixel bomb JPEG 65535x65535', sub { jpeg_with_dims(65535, 65535) }, {}, 413, 'too_many_pixels' ],
    [ 'pixel bomb PNG 65535x65535', sub { png_with_dims(65535, 65535) }, {}, 413, 'too_many_pixels' ],
    [ 'PNG declaring 2^31-1 x 2^31-1', sub { png_with_dims(0x7fffffff, 0x7fffffff) }, {}, 413, 'too_many_pixels' ],
    [ 'JPEG with 20 MiB of EXIF (APP1) before its frame', sub { jpeg_big_exif(20) }, {}, 400, 'invalid_image' ],
    [ 'text/html posing as an image', sub { "<html><script>alert(1)</script></html>" },
      { 'Content-Type' => 'image/jpeg' }, 415, 'unsupported_type' ],
    [ 'GIF (not in prism_types)', sub { slurp("$images/gif-still.gif") }, {}, 415, 'type_not_allowed' ],
    [ 'multipart without boundary', sub { multipart('b0undary', $file_part) },
      { 'Content-Type' => 'multipart/form-data' }, 400, 'malformed_body' ],
    [ 'multipart with an unterminated part', sub { "--b0undary\r\n$file_part->[0]\r\n\r\n$jpeg" },
      { 'Content-Type' => 'multipart/form-data; boundary=b0undary' }, 400, 'malformed_body' ],
    [ 'multipart with 100 KiB part headers', sub {
          multipart('b0undary', [ $file_part->[0] . "\r\nX-Pad: " . ('a' x 102400), $jpeg ]) },
      { 'Content-Type' => 'multipart/form-data; boundary=b0undary' }, 400, 'malformed_body' ],
    [ 'multipart with two files', sub { multipart('b0undary', $file_part, $file_part) },
      { 'Content-Type' => 'multipart/form-data; boundary=b0undary' }, 400, 'malformed_body' ],
    # accepted, with a property checked
    [ 'PNG sent as Content-Type image/jpeg', sub { $png }, { 'Content-Type' => 'image/jpeg' }, 201,
      sub { $_[0]{contentType} eq 'image/png' && $_[0]{key} =~ /\.png$/ } ],
    [ 'polyglot: JPEG followed by an HTML/PHP payload', sub { $jpeg . "<?php system(\$_GET['c']); ?><script>x</script>" },
      {}, 201, sub { $_[0]{contentType} eq 'image/jpeg' && $_[0]{key} =~ $key_re } ],
    [ 'form filename ../../etc/passwd', sub {
          multipart('b0undary', [ 'Content-Disposition: form-data; name="photo"; filename="../../etc/passwd"', $jpeg ]) },
      { 'Content-Type' => 'multipart/form-data; boundary=b0undary' }, 201, sub { $_[0]{key} =~ $key_re } ],
    [ 'CRLF in a metadata field', sub {
          multipart('b0undary', [ 'Content-Disposition: form-data; name="title"', "a\r\nX-Amz-Meta-Injected: 1" ], $file_part) },
      { 'Content-Type' => 'multipart/form-data; boundary=b0undary' }, 201, sub {
          my $h = HTTP::Tiny->new->head($s->endpoint . "/prism-ingest/$_[0]{key}");
          $h->{success} && !grep { /injected/i } keys %{ $h->{headers} } } ],
    # accepted by the ingress (header intact), refused by the plugins: DLQ
    [ 'JPEG with corrupt Huffman data', sub { jpeg_corrupt_scan() }, {}, 201, 'dlq' ],
);

my (@accepted, @dlq_rows, @table);
my $t0 = time;
for my $row (@rows) {
    my ($name, $build, $hdr, $want, $check) = @$row;
    my $before = scalar $s->list_keys('prism-ingest');
    my $r = $s->upload($build->(), %$hdr);
    my $code = $r->{json}{error} // '';
    my $after = scalar $s->list_keys('prism-ingest');
    if ($want == 201) {
        is($r->{status}, 201, "$name: 201") or diag($r->{content});
        push @accepted, $r->{json}{key} if $r->{status} == 201;
        if (ref $check) { ok($r->{status} == 201 && $check->($r->{json}), "$name: checked") }
        else { push @dlq_rows, [ $name, $r->{json}{key} ] }
    } else {
        is("$r->{status} $code", "$want $check", "$name: $want $check");
        is($after, $before, "$name: nothing stored");
    }
    push @table, [ $name, $r->{status}, $code || ($r->{status} == 201 ? 'created' : '-') ];
}

# slow drip: a declared body that never finishes within client_body_timeout
{
    my $before = scalar $s->list_keys('prism-ingest');
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => (split /:/, $s->upload_url)[2] =~ s{/.*}{}r,
                                     Timeout => 10) or die "connect: $!";
    print $sock "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " . length($jpeg) . "\r\n\r\n" . substr($jpeg, 0, 50);
    my $resp = '';
    my $end = time + 8;
    $sock->blocking(0);
    while (time < $end) { my $got = sysread($sock, my $buf, 4096); last if defined $got && $got == 0; $resp .= $buf if $got; sleep 0.1 }    # poll: until the condition holds or the deadline
    my ($st) = $resp =~ m{^HTTP/1\.\d (\d+)};
    ok(!defined $st || $st == 408, 'slow drip: 408 or the connection closed, never a 201') or diag($resp);
    is(scalar $s->list_keys('prism-ingest'), $before, 'slow drip: nothing stored');
    push @table, [ 'slow-drip body (client_body_timeout 2s)', $st // 'closed', $st ? 'request timeout' : 'closed without answer' ];
}

# malformed SQS bodies, sent straight to a role queue: poison, DLQ with a reason
my $thumb = $s->queue_url('prism-thumbnail');
my %sqs_rows = (
    'SQS body that is not JSON' => 'this is not json {',
    'SQS JSON without a key' => '{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"prism-ingest"},"object":{"size":10}}}]}',
    'SQS body of 250 KiB' => '{"pad":"' . ('x' x (250 * 1024)) . '"}',
);
for my $name (sort keys %sqs_rows) {
    $s->sqs('SendMessage', { QueueUrl => $thumb, MessageBody => $sqs_rows{$name} });
}

# messages naming an original the route must not read: keys with dot
# segments (which an HTTP client would squash into another bucket's path)
# and buckets outside the route's input.buckets.  A JPEG waits in
# prism-derived at x.jpg, where a squashed path would land: rejected, DLQ
# with the reason, and nothing read or written there.
$s->put_object('prism-derived', 'x.jpg', $jpeg, 'Content-Type' => 'image/jpeg');
my %input_rows = (
    'SQS key ../prism-derived/x.jpg' => [ '{"bucket":"prism-ingest","s3Key":"../prism-derived/x.jpg"}',
                                          qr/"\.\." path segment/ ],
    'SQS key a/../../prism-derived/x.jpg' => [ '{"bucket":"prism-ingest","s3Key":"a/../../prism-derived/x.jpg"}',
                                               qr/"\.\." path segment/ ],
    'SQS key with a control character' => [ '{"bucket":"prism-ingest","s3Key":"a/b\u0007.jpg"}',
                                            qr/control character/ ],
    'SQS bucket outside input.buckets' => [ '{"bucket":"prism-derived","s3Key":"x.jpg"}',
                                            qr/bucket "prism-derived" is not an input of route thumbnail/ ],
);
# png_zeros(W, H): an 8-bit RGBA PNG of W x H transparent pixels, streamed
# through deflate row by row (9999 x 9999 is ~400 MB raw, ~390 KB stored).
sub png_zeros {
    my ($w, $h) = @_;
    my ($d) = Compress::Zlib::deflateInit(-Level => 9);
    my $row = "\0" x (1 + 4 * $w);
    my $idat = '';
    for (1 .. $h) { my ($out) = $d->deflate($row); $idat .= $out }
    my ($out) = $d->flush;
    $idat .= $out;
    my $chunk = sub { pack('N', length $_[1]) . $_[0] . $_[1] . pack('N', crc32($_[0] . $_[1])) };
    return "\x89PNG\r\n\x1a\n" . $chunk->('IHDR', pack('NNCCCCC', $w, $h, 8, 6, 0, 0, 0))
         . $chunk->('IDAT', $idat) . $chunk->('IEND', '');
}

# a decompression bomb stored straight into the ingest bucket (the ingress
# would refuse it: 99.98 MP over prism_max_pixels) and announced on the
# thumbnail queue: refused from its header, before any decode; the
# workers' peak RSS stays far below the ~400 MB a decode would take
my $bomb = png_zeros(9999, 9999);
$s->put_object('prism-ingest', 'direct/bomb.png', $bomb, 'Content-Type' => 'image/png');
my @direct = ('direct/bomb.png');

# a message for upload B's original claiming upload A's image id: the
# host records only under the id the original carries (its
# x-amz-meta-prism-image-id), so A's record must not change
my ($img_a, $img_b) = map { $s->upload($jpeg)->{json} } 1 .. 2;
push @accepted, $img_a->{key}, $img_b->{key};
my $rec_a = PrismFaultStack::wait_for(30, sub {
    my $r = $s->image_record($img_a->{imageId});
    return $r && keys %{ $r->{routes}{M} // {} } == 3 ? $r : undef });
ok($rec_a, 'upload A has its complete record');
$input_rows{'SQS imageId of another upload (original of upload B)'} = [
    encode_json({ bucket => 'prism-ingest', s3Key => $img_b->{key}, imageId => $img_a->{imageId} }),
    qr/^imageId "\Q$img_a->{imageId}\E" is not the original's \(x-amz-meta-prism-image-id "\Q$img_b->{imageId}\E"\)$/ ];
$input_rows{sprintf 'SQS 9999x9999 RGBA PNG (%d KB) stored directly', length($bomb) / 1000} = [
    '{"bucket":"prism-ingest","s3Key":"direct/bomb.png"}',
    qr/^image of 9999x9999 needs ~\d+ MiB to decode, over the worker's decode budget of 256 MiB|max_pixels/ ];
for my $name (sort keys %input_rows) {
    $s->sqs('SendMessage', { QueueUrl => $thumb, MessageBody => $input_rows{$name}[0] });
}

# the DLQ rows: every refused message has a prism.reason
my $want_thumb = @dlq_rows + keys(%sqs_rows) + keys(%input_rows);
PrismFaultStack::wait_for(40, sub { $s->queue_count('prism-thumbnail-dlq') >= $want_thumb });
my @dead = $s->dlq_messages('thumbnail');
my %reason;
for my $m (@dead) {
    my $why = $m->{MessageAttributes}{'prism.reason'}{StringValue} // '(no reason)';
    $reason{ $m->{Body} } = $why;
}
for my $row (@dlq_rows) {
    my ($name, $key) = @$row;
    my ($body) = grep { index($_, $key) >= 0 } keys %reason;
    ok(defined $body, "$name: in the thumbnail DLQ");
    like($reason{ $body // '' } // '', qr/\S/, "$name: with a reason");
    push @table, [ $name, 201, 'DLQ: ' . ($reason{ $body // '' } // 'not dead-lettered') ];
}
for my $name (sort keys %sqs_rows) {
    my $why = $reason{ $sqs_rows{$name} };
    ok(defined $why && $why =~ /\S/, "$name: in the DLQ with a reason");
    push @table, [ $name, '-', 'DLQ: ' . ($why // 'not dead-lettered') ];
}

for my $name (sort keys %input_rows) {
    my ($body, $want) = @{ $input_rows{$name} };
    like($reason{$body} // 'not dead-lettered', $want, "$name: in the DLQ with the reason");
    push @table, [ $name, '-', 'DLQ: ' . ($reason{$body} // 'not dead-lettered') ];
}
is_deeply([ sort grep { !m{^originals/} } $s->list_keys('prism-derived') ], [ 'x.jpg' ],
          'nothing written into prism-derived outside the derivative keys');
is_deeply($s->image_record($img_a->{imageId}), $rec_a, "upload A's record unchanged by the forged imageId");
my $peak = $s->worker_peak_rss;
ok($peak > 0 && $peak < 200 * 1024, "workers' peak RSS stays bounded: VmHWM $peak kB < 200 MiB");
push @table, [ 'prism-host workers after the bomb', '-', sprintf 'peak RSS (VmHWM) %d MiB', $peak / 1024 ];

# the accepted rows were processed: every route made its derivative
my @good = grep { my $k = $_; !grep { $_->[1] eq $k } @dlq_rows } @accepted;
my $f = $s->wait_sets(\@good, 30);
is($f->{sets}, scalar @good, 'accepted odd inputs got their complete derivative sets');
is(scalar $s->list_keys('prism-ingest'), @accepted + @direct,
   'the ingest bucket holds only the accepted uploads (and the objects stored directly)');
is($s->nginx_crashes, 0, 'no nginx worker exited on a signal');
is($s->metrics->{prism_worker_restarts_total} // 0, 0, 'no prism-host worker died');

diag sprintf "%-52s | %-6s | %s", 'input', 'status', 'outcome';
diag sprintf "%-52s | %-6s | %s", @$_ for @table;
diag sprintf 'catalogue ran in %.1f s', time - $t0;
done_testing;
