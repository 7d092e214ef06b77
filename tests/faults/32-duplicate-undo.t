# Fault (c''): a key template that repeats (by-hash/{sha256}.{ext}) and an
# upload of the same bytes whose publish fails.  The failed upload did not
# create the object, so it must not remove it: the first upload's original
# stays, its derivative set completes, nothing is dead-lettered.  The
# duplicate is answered 200 "duplicate" and publishes nothing; an upload of
# new bytes during the outage is still refused and leaves nothing behind.
# The emulator ignores If-None-Match on PutObject, so this exercises the
# check before the write (prism_s3_check_existing, on for an explicit
# endpoint).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use PrismFaultStack;

my $missing = PrismFaultStack::missing_parts();
BAIL_OUT("not built: $missing (make test-faults builds everything first)") if $missing;

my $s = PrismFaultStack->new('duplicate-undo', visibility => 3,
                             nginx_loc => 'prism_key_template "by-hash/{sha256}.{ext}";');
$s->start_aws;
$s->start_nginx;

my $read = sub { local $/; open my $fh, '<', "$FindBin::Bin/../data/images/$_[0]" or die; <$fh> };
my $img = $read->('jpeg-baseline-420.jpg');
my $other = $read->('png-rgb.png');

# A: the first upload of the bytes; the host is not running yet, so its
# event waits in the queues
my $a = $s->upload($img);
is($a->{status}, 201, 'the first upload is created');
my $key = $a->{json}{key};
like($key, qr{^originals/by-hash/[0-9a-f]{64}\.jpg$}, 'under its by-hash key');

# SNS goes away; the same bytes again, and new bytes
$s->{sns_endpoint} = 'http://127.0.0.1:' . PrismFaultStack::closed_port();
$s->reload_nginx;
my $b = $s->upload($img);
note "same bytes while SNS is down: $b->{status} $b->{content}";
ok(grep({ $_ eq $key } $s->list_keys('prism-ingest')), "the first upload's original is still stored");
is($b->{status}, 200, 'the same bytes are answered 200');
is($b->{json}{duplicate}, JSON::PP::true, '... as a duplicate');
is($b->{json}{key}, $key, '... naming the existing key');
ok(!exists $b->{json}{messageId}, '... with no message id (nothing published)');
like($b->{headers}{location} // '', qr{\Q$key\E$}, '... and its Location');

my $c = $s->upload($other);
note "new bytes while SNS is down: $c->{status} $c->{content}";
cmp_ok($c->{status}, '>=', 500, 'new bytes during the outage are refused');
is(scalar $s->list_keys('prism-ingest'), 1, 'and their original was removed: only the first stays');

# SNS back: the same bytes once more are a duplicate, nothing is published again
$s->{sns_endpoint} = $s->endpoint;
$s->reload_nginx;
my $d = $s->upload($img);
is($d->{status}, 200, 'after the outage the same bytes are still a duplicate');
is($s->queue_count('prism-thumbnail'), 1, 'one event in a route queue: the first upload\'s');

# the host processes the first upload's event
$s->start_host;
my $f = $s->wait_sets([$key], 30);
diag(PrismFaultStack::line('duplicate with SNS down', 4, 1, $f)
     . sprintf(' duplicate_status=%d refused_new=%d', $b->{status}, $c->{status}));
is($f->{stored}, 1, 'the original is stored');
is($f->{sets}, 1, 'the first upload has its complete derivative set');
is($f->{distinct}, 3, 'one derivative per route');
is($f->{dlq}, 0, 'nothing dead-lettered ("original not found")');
is($f->{runs}, 3, 'each route ran once: the duplicates published nothing');
done_testing;
