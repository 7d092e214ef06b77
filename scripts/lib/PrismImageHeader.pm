# PrismImageHeader — an image's type (by magic bytes) and dimensions (from
# its header), in plain Perl, for the demo and the end-to-end test.  It is
# an oracle independent of prism's own imageinfo/ code.
#
#   my $info = PrismImageHeader::parse($bytes);   # undef when unrecognised
#   # { type => 'jpeg'|'png'|'webp'|'gif'|'avif'|'heic', mime => 'image/jpeg', width, height,
#   #   orientation => EXIF orientation 1..8 (JPEG; 1 without EXIF),
#   #   components => JPEG colour components, webp => 'VP8 '|'VP8L'|'VP8X',
#   #   animated => 1 for a WebP with the VP8X animation flag }
#   my $info = PrismImageHeader::parse_file($path);
package PrismImageHeader;

use strict;
use warnings;

my %MIME = (jpeg => 'image/jpeg', png => 'image/png', webp => 'image/webp', gif => 'image/gif',
            avif => 'image/avif', heic => 'image/heic');

# parse_file(PATH): parse() of the file's bytes; undef when unreadable.
sub parse_file {
    my ($path) = @_;
    open(my $fh, '<:raw', $path) or return undef;
    local $/;
    my $bytes = <$fh>;
    close $fh;
    return parse($bytes // '');
}

# parse(BYTES): the description above, or undef when BYTES is no complete
# JPEG, PNG, WebP, GIF, AVIF or HEIC header.
sub parse {
    my ($b) = @_;
    my $info;
    if (substr($b, 0, 3) eq "\xFF\xD8\xFF") {
        $info = _jpeg($b);
    } elsif (substr($b, 0, 8) eq "\x89PNG\r\n\x1A\n") {
        $info = _png($b);
    } elsif (substr($b, 0, 4) eq 'RIFF' && substr($b, 8, 4) eq 'WEBP') {
        $info = _webp($b);
    } elsif (substr($b, 0, 6) =~ /^GIF8[79]a$/) {
        $info = length($b) >= 10 ? { type => 'gif', width => unpack('v', substr($b, 6, 2)),
                                     height => unpack('v', substr($b, 8, 2)) } : undef;
    } elsif (substr($b, 4, 4) eq 'ftyp') {
        $info = _bmff($b);
    }
    return undef unless $info && $info->{width} && $info->{height};
    $info->{mime} = $MIME{ $info->{type} };
    return $info;
}

# JPEG: walks the markers to the first SOFn, reading the EXIF orientation
# from an APP1 on the way.
sub _jpeg {
    my ($b) = @_;
    my ($pos, $orientation) = (2, 1);
    while ($pos + 4 <= length $b) {
        return undef unless substr($b, $pos, 1) eq "\xFF";
        my $m = ord substr($b, $pos + 1, 1);
        if ($m == 0xFF) { $pos++; next }                        # fill byte
        if ($m == 0x01 || ($m >= 0xD0 && $m <= 0xD7)) { $pos += 2; next }
        return undef if $m == 0xD9 || $m == 0xDA;               # EOI/SOS before a frame
        my $len = unpack('n', substr($b, $pos + 2, 2));
        return undef if $len < 2 || $pos + 2 + $len > length $b;
        my $seg = substr($b, $pos + 4, $len - 2);
        if ($m >= 0xC0 && $m <= 0xCF && $m != 0xC4 && $m != 0xC8 && $m != 0xCC) {
            return undef if length($seg) < 6;
            my ($h, $w, $nc) = unpack('x n n C', $seg);
            return { type => 'jpeg', width => $w, height => $h, components => $nc,
                     orientation => $orientation };
        }
        $orientation = _exif_orientation($seg) // $orientation
            if $m == 0xE1 && substr($seg, 0, 6) eq "Exif\0\0";
        $pos += 2 + $len;
    }
    return undef;
}

# The Orientation tag (0x0112) of IFD0 in an APP1 EXIF segment, or undef.
sub _exif_orientation {
    my ($seg) = @_;
    my $t = substr($seg, 6);
    return undef if length($t) < 8;
    my $order = substr($t, 0, 2);
    my ($u16, $u32) = $order eq 'II' ? ('v', 'V') : $order eq 'MM' ? ('n', 'N') : return undef;
    my $ifd = unpack($u32, substr($t, 4, 4));
    return undef if $ifd + 2 > length $t;
    my $n = unpack($u16, substr($t, $ifd, 2));
    for my $i (0 .. $n - 1) {
        my $e = $ifd + 2 + 12 * $i;
        last if $e + 12 > length $t;
        next unless unpack($u16, substr($t, $e, 2)) == 0x0112;
        my $v = unpack($u16, substr($t, $e + 8, 2));
        return $v >= 1 && $v <= 8 ? $v : undef;
    }
    return undef;
}

sub _png {
    my ($b) = @_;
    return undef if length($b) < 26 || substr($b, 12, 4) ne 'IHDR';
    my ($w, $h) = unpack('N N', substr($b, 16, 8));
    return { type => 'png', width => $w, height => $h };
}

# WebP: the first chunk is VP8 (lossy), VP8L (lossless) or VP8X (extended).
sub _webp {
    my ($b) = @_;
    return undef if length($b) < 30;
    my $fourcc = substr($b, 12, 4);
    my $d = 20;
    if ($fourcc eq 'VP8 ') {
        return undef unless substr($b, $d + 3, 3) eq "\x9D\x01\x2A";
        my ($w, $h) = unpack('v v', substr($b, $d + 6, 4));
        return { type => 'webp', webp => $fourcc, width => $w & 0x3FFF, height => $h & 0x3FFF };
    }
    if ($fourcc eq 'VP8L') {
        return undef unless substr($b, $d, 1) eq "\x2F";
        my $bits = unpack('V', substr($b, $d + 1, 4));
        return { type => 'webp', webp => $fourcc, width => ($bits & 0x3FFF) + 1,
                 height => (($bits >> 14) & 0x3FFF) + 1 };
    }
    if ($fourcc eq 'VP8X') {
        my ($w0, $w1, $w2, $h0, $h1, $h2) = unpack('C6', substr($b, $d + 4, 6));
        return { type => 'webp', webp => $fourcc, width => ($w0 | $w1 << 8 | $w2 << 16) + 1,
                 height => ($h0 | $h1 << 8 | $h2 << 16) + 1,
                 animated => (ord(substr($b, $d, 1)) & 0x02) ? 1 : 0 };
    }
    return undef;
}

# AVIF and HEIC (ISO BMFF): the type from the ftyp box's major brand, the
# size from the primary item's ispe property (meta: pitm names the item,
# iprp/ipma associates it with properties of iprp/ipco): the coded size,
# before any irot/imir transform.
sub _bmff {
    my ($b) = @_;
    my $brand = substr($b, 8, 4);
    my $type = $brand =~ /^avi[fs]$/ ? 'avif' : $brand =~ /^(?:hei[cxms]|mif1)$/ ? 'heic' : undef;
    return undef unless $type;
    my $meta = _box($b, 0, length $b, 'meta') or return undef;
    my ($mstart, $mend) = ($meta->[0] + 4, $meta->[1]);          # a full box
    my $pitm = _box($b, $mstart, $mend, 'pitm') or return undef;
    my $primary = unpack(substr($b, $pitm->[0], 1) eq "\0" ? 'n' : 'N', substr($b, $pitm->[0] + 4, 4));
    my $iprp = _box($b, $mstart, $mend, 'iprp') or return undef;
    my $ipco = _box($b, @$iprp, 'ipco') or return undef;
    my $ipma = _box($b, @$iprp, 'ipma') or return undef;
    my @props;                                                   # ipco's children, 1-based
    for (my $at = $ipco->[0]; $at + 8 <= $ipco->[1];) {
        my $size = unpack('N', substr($b, $at, 4)) or last;
        push @props, [substr($b, $at + 4, 4), $at + 8];
        $at += $size;
    }
    my ($version, $flags) = (unpack('C', substr($b, $ipma->[0], 1)), unpack('N', substr($b, $ipma->[0], 4)) & 0xFFFFFF);
    my $at = $ipma->[0] + 4;
    my $entries = unpack('N', substr($b, $at, 4));
    $at += 4;
    for (1 .. $entries) {
        my $item = unpack($version < 1 ? 'n' : 'N', substr($b, $at, 4));
        $at += $version < 1 ? 2 : 4;
        my $n = unpack('C', substr($b, $at++, 1));
        for (1 .. $n) {
            my $index = $flags & 1 ? unpack('n', substr($b, $at, 2)) & 0x7FFF : unpack('C', substr($b, $at, 1)) & 0x7F;
            $at += $flags & 1 ? 2 : 1;
            my $p = $props[$index - 1];
            if ($item == $primary && $p && $p->[0] eq 'ispe') {
                my ($w, $h) = unpack('N N', substr($b, $p->[1] + 4, 8));
                return { type => $type, width => $w, height => $h };
            }
        }
    }
    return undef;
}

# _box(BYTES, START, END, TYPE): [payload start, end] of the first box of
# TYPE among the boxes in BYTES[START, END), or undef.
sub _box {
    my ($b, $start, $end, $type) = @_;
    for (my $at = $start; $at + 8 <= $end;) {
        my $size = unpack('N', substr($b, $at, 4));
        $size = $end - $at if $size == 0;
        return undef if $size < 8;
        return [$at + 8, $at + $size] if substr($b, $at + 4, 4) eq $type;
        $at += $size;
    }
    return undef;
}

1;
