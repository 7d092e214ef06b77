# Fault (h'): prism_store local with prism_local_dir on a small tmpfs (1 MiB)
# that is nearly full, client_body_temp_path on another file system, so
# every original is copied across.  Uploads that do not fit are answered
# 507 store_full and leave nothing in the store (no partial file, no
# temporary copy: the space stays free), nothing is published; once space
# is freed uploads are stored and announced.  Needs root and mount(8)
# (skipped otherwise).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Find ();
use Test::More;
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;
plan skip_all => 'needs root to mount a tmpfs' if $> != 0;

my $s = PrismFaultStack->new('local-store-full', visibility => 3);
my $mnt = $s->dir . '/store';
mkdir $mnt;
plan skip_all => "cannot mount a tmpfs here (mount not permitted)"
    if system("mount -t tmpfs -o size=1m tmpfs '$mnt' 2>/dev/null") != 0;
END { system("umount '$mnt' 2>/dev/null") if $mnt }
$s->{nginx_loc} = "prism_store local; prism_local_dir $mnt;";
$s->start_aws;
$s->start_nginx;

# files under the store (the filler included), and the store's free KiB
my $files = sub {
    my @f;
    File::Find::find(sub { push @f, $File::Find::name if -f }, $mnt);
    return sort @f;
};
my $free = sub { my ($kib) = (`df -k --output=avail '$mnt'` =~ /(\d+)\s*$/); return $kib };

my $img = do { local $/; open my $fh, '<', "$FindBin::Bin/../data/images/jpeg-baseline-420.jpg" or die; <$fh> };
my $n = 5;
my @body = map { $img . chr($_) x 100_000 } 1 .. 2 * $n;   # 100 KB each, all different

system("dd if=/dev/zero of='$mnt/filler' bs=4k count=236 2>/dev/null") == 0 or die "dd: $?";
my $free_before = $free->();
my (%st, %codes);
for my $i (0 .. $n - 1) {
    my $r = $s->upload($body[$i]);
    $st{ $r->{status} }++;
    $codes{ $r->{json}{error} // 'none' }++;
}
note sprintf 'with %d KiB free: %s; errors: %s', $free_before,
    join(', ', map { "$_ x$st{$_}" } sort keys %st), join(', ', map { "$_ x$codes{$_}" } sort keys %codes);
is($st{507} // 0, $n, 'every upload that does not fit answered 507');
is($codes{store_full} // 0, $n, '... store_full');
is_deeply([ $files->() ], ["$mnt/filler"], 'no partial or temporary file left in the store');
is($free->(), $free_before, 'the free space is what it was');
is($s->queue_count('prism-thumbnail'), 0, 'nothing published');
is($s->nginx_crashes, 0, 'no nginx worker exited on a signal');

unlink "$mnt/filler";
my @stored;
for my $i ($n .. 2 * $n - 1) {
    my $r = $s->upload($body[$i]);
    push @stored, $r->{json}{key} if $r->{status} == 201;
}
is(scalar @stored, $n, 'with space again every upload answered 201');
is_deeply([ $files->() ], [ sort map { "$mnt/$_" } @stored ], 'the store holds exactly their originals');
ok(PrismFaultStack::wait_for(10, sub { $s->queue_count('prism-thumbnail') == $n }), 'and their events');
my $in_store = () = $files->();
diag(sprintf 'local store full, then freed: uploads=%d 507_store_full=%d left_behind=%d 2xx_after=%d events=%d',
             2 * $n, $codes{store_full} // 0, $in_store - @stored, scalar @stored,
             $s->queue_count('prism-thumbnail'));
done_testing;
