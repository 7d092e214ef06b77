# Fault (a): a prism-host worker is killed with SIGKILL while it holds
# messages.  The master starts a new worker; SQS redelivers what the dead one
# held after the visibility timeout; every upload answered 201 ends with its
# complete derivative set, nothing lands in a DLQ, and no key is stored that
# does not belong to an upload.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;

my $s = PrismFaultStack->new('kill-worker', visibility => 3)->start;
my $img = do { local $/; open my $fh, '<', "$FindBin::Bin/../data/images/jpeg-baseline-420.jpg" or die; <$fh> };
my $n = 30;
my (@keys, $ok, $killed);
for my $i (1 .. $n) {
    my $r = $s->upload($img);
    if ($r->{status} == 201) { $ok++; push @keys, $r->{json}{key} }
    # from the 10th upload on, kill the workers as soon as they hold a
    # message (prism_in_flight > 0), at the latest after the 25th
    next if $killed || $i < 10;
    my $m = $s->metrics;
    my $held = 0;
    $held += $m->{"prism_in_flight{route=\"$_\"}"} // 0 for PrismFaultStack::routes();
    if ($held > 0 || $i == 25) {
        my @w = $s->host_workers;
        kill 'KILL', @w;
        $killed = "after upload $i, holding $held message(s)";
        note "killed workers @w $killed";
    }
}
is($ok, $n, 'every upload answered 201');
my $restarted = PrismFaultStack::wait_for(15, sub { ($s->metrics->{prism_worker_restarts_total} // 0) >= 1
                                                     && $s->host_workers == 2 });
ok($restarted, 'the master started new workers');
my $f = $s->wait_sets(\@keys, 40);
diag(PrismFaultStack::line('kill -9 worker', $n, $ok, $f) . " killed $killed");
is($f->{stored}, $n, 'every original stored');
is($f->{sets}, $n, 'every upload has its complete derivative set');
is($f->{distinct}, $n * 3, 'one derivative per route per upload');
is($f->{stray}, 0, 'no derivative without a 2xx upload');
is($f->{dlq}, 0, 'nothing dead-lettered');
cmp_ok($f->{runs}, '>=', $n * 3, 'plugin runs >= uploads x routes (redelivery re-runs, overwriting)');
done_testing;
