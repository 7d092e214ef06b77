# Fault (h): nginx's client_body_temp_path is on a small tmpfs that is full.
# Uploads whose body must go to a temporary file fail with a 5xx, nothing
# is stored, no nginx worker dies; once space is freed uploads succeed and
# get their derivative sets.  Needs root and mount(8) (skipped otherwise).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;
plan skip_all => 'needs root to mount a tmpfs' if $> != 0;

my $s = PrismFaultStack->new('body-temp-full', visibility => 3);
my $mnt = $s->dir . '/nginx/tmp/small';
mkdir $mnt;
plan skip_all => "cannot mount a tmpfs here (mount not permitted)"
    if system("mount -t tmpfs -o size=256k tmpfs '$mnt' 2>/dev/null") != 0;
END { system("umount '$mnt' 2>/dev/null") if $mnt }
$s->{nginx_loc} = "client_body_temp_path $mnt; client_body_buffer_size 8k;";
$s->start;

my $img = do { local $/; open my $fh, '<', "$FindBin::Bin/../data/images/jpeg-baseline-420.jpg" or die; <$fh> };
my $big = $img . ("\0" x 100_000);   # a JPEG with trailing bytes: over the body buffer
system("dd if=/dev/zero of='$mnt/filler' bs=4k count=1000 2>/dev/null");   # fills the tmpfs (ENOSPC)
my $n = 5;
my %st;
$st{ $s->upload($big)->{status} }++ for 1 .. $n;
my $refused = grep { $_ >= 500 } map { ($_) x $st{$_} } keys %st;
note 'with a full body temp dir: ' . join(', ', map { "$_ x$st{$_}" } sort keys %st);
is($refused, $n, 'every upload needing a temp file answered 5xx');
is(scalar $s->list_keys('prism-ingest'), 0, 'nothing stored');

unlink "$mnt/filler";
my (@keys, $ok);
for (1 .. $n) {
    my $r = $s->upload($big);
    if ($r->{status} == 201) { $ok++; push @keys, $r->{json}{key} }
}
is($ok, $n, 'with space again every upload answered 201');
my $f = $s->wait_sets(\@keys, 30);
diag(PrismFaultStack::line('full client_body_temp_path, then freed', 2 * $n, $ok, $f) . " refused_while_full=$refused");
is($f->{sets}, $n, 'every accepted upload has its complete derivative set');
is($f->{ingest}, $n, 'the ingest bucket holds exactly the accepted originals');
is($s->nginx_crashes, 0, 'no nginx worker exited on a signal');
done_testing;
