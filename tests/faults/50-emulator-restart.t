# Fault (e): the AWS emulator (SNS, SQS, S3 at once) is stopped in the middle
# of a stream of uploads and started again with its persisted state
# (PRISM_AWS_PERSIST=1).  Uploads during the outage are refused (5xx, nothing
# stored); every upload answered 201, before or after, ends with its complete
# derivative set; the host and nginx recover without a restart.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep time);
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;

my $s = PrismFaultStack->new('emulator-restart', visibility => 3, persist => 1)->start;
my $img = do { local $/; open my $fh, '<', "$FindBin::Bin/../data/images/jpeg-baseline-420.jpg" or die; <$fh> };
my (@keys, $ok, $n, $refused);
my $send = sub {
    for (1 .. $_[0]) {
        $n++;
        my $r = $s->upload($img);
        if ($r->{status} == 201) { $ok++; push @keys, $r->{json}{key} }
        elsif ($r->{status} >= 500) { $refused++ }
    }
};
$send->(15);
ok($s->local_aws('stop'), 'emulator stopped');
$send->(3);
my $t0 = time;
ok($s->local_aws('start'), 'emulator started again from its persisted state');
note sprintf 'emulator restart took %.1f s', time - $t0;
$send->(15);
is($ok + ($refused // 0), $n, 'every upload answered 201 or 5xx');
my $f = $s->wait_sets(\@keys, 60);
diag(PrismFaultStack::line('emulator restart (persisted)', $n, $ok, $f) . sprintf ' refused=%d', $refused // 0);
is($f->{ingest}, scalar @keys, 'the ingest bucket holds exactly the accepted originals');
is($f->{sets}, scalar @keys, 'every accepted upload has its complete derivative set');
is($f->{distinct}, 3 * @keys, 'one derivative per route per upload');
is($f->{stray}, 0, 'no derivative without a 2xx upload');
is($f->{dlq}, 0, 'nothing dead-lettered');
done_testing;
