# Fault (c'), with the outbox: SNS is unreachable from nginx while uploads
# arrive and prism_outbox is set.  Each upload is answered 201 with
# "notification":"queued" and its event journaled; nothing reaches the
# host meanwhile.  Once SNS is back (reload with the right endpoint) the
# journal is replayed: every event is delivered, every derivative set
# stored, and the outbox is empty.  Skipped when the module has no outbox.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;

my $dead = 'http://127.0.0.1:' . PrismFaultStack::closed_port();
my $s = PrismFaultStack->new('sns-down-outbox', visibility => 3, sns_endpoint => $dead);
my $outbox = $s->dir . '/nginx/outbox';
$s->{nginx_http} = "prism_outbox $outbox;";
$s->start;
my $img = do { local $/; open my $fh, '<', "$FindBin::Bin/../data/images/jpeg-baseline-420.jpg" or die; <$fh> };

sub entries { opendir my $d, $outbox or return 0; return scalar grep { /^[^.].*\.json$/ } readdir $d }

my $down = 4;
my (@keys, $queued, $ok);
for (1 .. $down) {
    my $r = $s->upload($img);
    next unless $r->{status} == 201;
    $ok++;
    push @keys, $r->{json}{key};
    $queued++ if ($r->{json}{notification} // '') eq 'queued';
}
is($ok, $down, 'every upload during the outage answered 201');
is($queued // 0, $down, '... with "notification":"queued"');
is(entries(), $down, 'one journal entry per queued upload');
my $during = $s->figures(\@keys);
is($during->{stored}, $down, 'the originals are stored');
is($during->{derived}, 0, 'nothing processed while the events wait in the outbox');

$s->{sns_endpoint} = $s->endpoint;
$s->reload_nginx;
my $up = 4;
for (1 .. $up) {
    my $r = $s->upload($img);
    if ($r->{status} == 201) { $ok++; push @keys, $r->{json}{key} }
}
my $f = $s->wait_sets(\@keys, 60);
diag(PrismFaultStack::line('SNS down (outbox)', $down + $up, $ok, $f)
     . sprintf(' queued=%d outbox_left=%d', $queued // 0, entries()));
is($f->{sets}, $down + $up, 'every upload has its complete derivative set (the journal was replayed)');
is($f->{distinct}, 3 * ($down + $up), 'one derivative per route per upload');
ok(PrismFaultStack::wait_for(10, sub { entries() == 0 }), 'the outbox is empty');
is($f->{dlq}, 0, 'nothing dead-lettered');
is($s->nginx_crashes, 0, 'no nginx worker exited on a signal');
done_testing;
