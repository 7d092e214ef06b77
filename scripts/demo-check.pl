#!/usr/bin/perl
# demo-check.pl — checks the demo's gallery the way a person would see it:
#
#   perl scripts/demo-check.pl demo/out/index.html [demo/out/screenshot.png]
#
#   1. every <img> and <a href> of the page names a file that exists next
#      to it (relative links, so the page works from file://), and every
#      <img> is a JPEG, PNG, WebP, GIF or AVIF by its header (HEIC, which
#      no browser shows, only as a link);
#   2. the screenshot (a PNG headless Chromium took of the page) is not
#      blank and shows photographs: it has at least --min-colours distinct
#      colours (text, rules and broken-image icons make a few hundred;
#      rendered photos make tens of thousands).
#
# Prints one line per check and exits 0 when all pass, 1 otherwise.
use strict;
use warnings;

use Compress::Zlib qw(uncompress);
use File::Basename qw(dirname);
use FindBin;
use Getopt::Long;

use lib "$FindBin::Bin/lib";
use PrismImageHeader;

my $min_colours = 5000;
GetOptions('min-colours=i' => \$min_colours) && @ARGV >= 1
    or die "usage: $0 [--min-colours N] PAGE [SCREENSHOT]\n";
my ($page, $shot) = @ARGV;
my $failed = 0;

# check(OK, WHAT): prints "ok: WHAT" or "NOT OK: WHAT"; a failure fails the run.
sub check {
    my ($ok, $what) = @_;
    print $ok ? "ok: $what\n" : "NOT OK: $what\n";
    $failed = 1 unless $ok;
}

# ---- 1. links -----------------------------------------------------------------

my $html = do { local $/; open(my $fh, '<:raw', $page) or die "$page: $!\n"; <$fh> };
my $dir = dirname($page);
my (@imgs, @hrefs);
push @imgs, $1 while $html =~ /<img\b[^>]*?\bsrc="([^"]*)"/g;
push @hrefs, $1 while $html =~ /<a\b[^>]*?\bhref="([^"]*)"/g;

my (@missing, @bad, @absolute);
for my $link (@imgs, @hrefs) {
    if ($link =~ m{^(?:[a-z]+:|/)}i) { push @absolute, $link; next }
    (my $file = $link) =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
    push @missing, $link unless -f "$dir/$file" && -s _;
}
for my $link (@imgs) {
    (my $file = $link) =~ s/%([0-9A-Fa-f]{2})/chr hex $1/ge;
    my $info = -f "$dir/$file" && PrismImageHeader::parse_file("$dir/$file");
    push @bad, $link if -f "$dir/$file" && (!$info || $info->{type} eq 'heic');
}
check(@imgs > 0, scalar(@imgs) . ' <img> in the page');
check(!@absolute, 'every link is relative' . (@absolute ? ": @absolute[0 .. ($#absolute < 4 ? $#absolute : 4)]" : ''));
check(!@missing, 'every <img> and <a href> names an existing file'
      . (@missing ? ' (missing: ' . join(' ', @missing[0 .. ($#missing < 4 ? $#missing : 4)]) . ')' : ''));
check(!@bad, 'every <img> is an image a browser shows, by its header' . (@bad ? " (not: @bad)" : ''));

# ---- 2. the screenshot ----------------------------------------------------------------

if (defined $shot) {
    my ($w, $h, $colours) = png_colours($shot);
    check(defined $colours, "$shot is a PNG Chromium wrote" . (defined $w ? " (${w}x$h)" : ''));
    check(($colours // 0) >= $min_colours,
          sprintf('the screenshot shows photographs: %d distinct colours (at least %d)', $colours // 0, $min_colours));
}
exit $failed;

# png_colours(FILE): (width, height, distinct colours) of an 8-bit RGB or
# RGBA, non-interlaced PNG (what Chromium writes); colours undef otherwise.
sub png_colours {
    my ($file) = @_;
    my $b = do { local $/; open(my $fh, '<:raw', $file) or return; <$fh> };
    return unless substr($b, 0, 8) eq "\x89PNG\r\n\x1A\n";
    my ($pos, $idat, $w, $h, $depth, $ctype, $interlace) = (8, '');
    while ($pos + 8 <= length $b) {
        my ($len, $type) = unpack('N a4', substr($b, $pos, 8));
        my $data = substr($b, $pos + 8, $len);
        ($w, $h, $depth, $ctype, undef, undef, $interlace) = unpack('N N C C C C C', $data) if $type eq 'IHDR';
        $idat .= $data if $type eq 'IDAT';
        last if $type eq 'IEND';
        $pos += 12 + $len;
    }
    return ($w, $h) unless defined $w && $depth == 8 && ($ctype == 2 || $ctype == 6) && !$interlace;
    my $bpp = $ctype == 6 ? 4 : 3;
    my $raw = uncompress($idat);
    return ($w, $h) unless defined $raw && length($raw) == $h * (1 + $w * $bpp);
    my $stride = $w * $bpp;
    my @prev = (0) x $stride;
    my %seen;
    for my $y (0 .. $h - 1) {
        my $off = $y * ($stride + 1);
        my $filter = ord substr($raw, $off, 1);
        my @cur = unpack('C*', substr($raw, $off + 1, $stride));
        if ($filter == 1) {
            $cur[$_] = ($cur[$_] + $cur[$_ - $bpp]) & 0xFF for $bpp .. $stride - 1;
        } elsif ($filter == 2) {
            $cur[$_] = ($cur[$_] + $prev[$_]) & 0xFF for 0 .. $stride - 1;
        } elsif ($filter == 3) {
            for my $i (0 .. $stride - 1) {
                my $left = $i >= $bpp ? $cur[$i - $bpp] : 0;
                $cur[$i] = ($cur[$i] + (($left + $prev[$i]) >> 1)) & 0xFF;
            }
        } elsif ($filter == 4) {
            for my $i (0 .. $stride - 1) {
                my ($a, $c) = $i >= $bpp ? ($cur[$i - $bpp], $prev[$i - $bpp]) : (0, 0);
                my $bb = $prev[$i];
                my $p = $a + $bb - $c;
                my ($pa, $pb, $pc) = (abs($p - $a), abs($p - $bb), abs($p - $c));
                $cur[$i] = ($cur[$i] + ($pa <= $pb && $pa <= $pc ? $a : $pb <= $pc ? $bb : $c)) & 0xFF;
            }
        } elsif ($filter != 0) {
            return ($w, $h);
        }
        my $row = pack('C*', @cur);
        $seen{ substr($row, $_ * $bpp, 3) } = 1 for 0 .. $w - 1;
        @prev = @cur;
    }
    return ($w, $h, scalar keys %seen);
}
