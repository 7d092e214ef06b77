# Meta-test of the Test::Nginx::Socket compatible runner in t/lib: runs
# suites as subprocesses (always with "-I t/lib", so this runner is tested
# even where the real Test::Nginx is installed) and checks their TAP output:
#
#  * failing/must-fail.suite: every deliberately wrong expectation must be
#    reported as "not ok" - exactly those, nothing else;
#  * suites/runner-only.suite: everything must pass;
#  * failing/leftover.suite: a file left in the server root outside what
#    the runner cleans must bail out, as the real Test::Nginx does.
#
# Each run gets its own port and server root, and must leave no nginx
# behind.

use strict;
use warnings;

use Test::More;
use Cwd ();
use FindBin ();
use File::Path qw(remove_tree);
use IO::Socket::INET ();
use IPC::Run ();

my $Root = Cwd::abs_path("$FindBin::Bin/../..");
my $Lib  = "$Root/t/lib";

# Failing assertions expected from must-fail.suite (name prefixes, without
# the leading script path).
my @ExpectedFailures = (
    'TEST 1: wrong status code - status code ok',
    'TEST 2: wrong response body - response_body - response is expected',
    'TEST 3: response_body_like does not match - response_body_like - response is expected',
    'TEST 4: wrong header value, header present that must be absent - header X-Prism ok',
    'TEST 4: wrong header value, header present that must be absent - header Content-Type not present in the raw headers',
    'TEST 5: response_headers_like does not match - header Content-Type like ok',
    'TEST 6: expected error_log line missing - pattern "this text is never logged" should match a line in error.log',
    'TEST 7: forbidden error_log line present - pattern "[error]" should not match any line in error.log',
    'TEST 8: must_die, but the configuration is valid - die as expected',
    'TEST 9: broken configuration without must_die - Cannot start nginx',
    'ERROR: client socket timed out - TEST 10: the response does not come within --- timeout',
    'TEST 10: the response does not come within --- timeout - status code ok',
    'TEST 11: undefined environment variable in the config - No environment TEST_NGINX_PRISM_UNDEFINED_FOR_SURE defined',
    'TEST 12: multi-line response_body_like and error_code_like mismatch - status code ok',
    'TEST 12: multi-line response_body_like and error_code_like mismatch - response_body_like - response is expected',
);
my $ExpectedPasses = 9;

{
    my $r = run_suite('t/runner/failing/must-fail.suite');

    isnt $r->{exit}, 0, 'must-fail.suite exits with an error';
    is scalar @{ $r->{not_ok} }, scalar @ExpectedFailures,
        'must-fail.suite: number of failed assertions'
        or diag_tap($r);
    is scalar @{ $r->{ok} }, $ExpectedPasses,
        'must-fail.suite: number of passed assertions'
        or diag_tap($r);

    my @unexpected = @{ $r->{not_ok} };
    for my $expected (@ExpectedFailures) {
        my ($hit) = grep { index($unexpected[$_], $expected) == 0 } 0 .. $#unexpected;
        ok defined $hit, "reported as failed: $expected";
        splice @unexpected, $hit, 1 if defined $hit;
    }
    is_deeply \@unexpected, [], 'no other assertion failed';
}

{
    my $r = run_suite('t/runner/suites/runner-only.suite');

    is $r->{exit}, 0, 'runner-only.suite passes' or diag_tap($r);
    is_deeply $r->{not_ok}, [], 'runner-only.suite: no failed assertion';
    ok $r->{plan} && $r->{plan} == @{ $r->{ok} },
        'runner-only.suite: ran as many assertions as planned';
}

{
    my $r = run_suite('t/runner/failing/leftover.suite');
    my $servroot = "$Root/t/servroot-meta-leftover";

    isnt $r->{exit}, 0, 'leftover.suite exits with an error';
    like $r->{out}, qr/^Bail out!\s+Can't remove \Q$servroot\E \(not empty\?\)/m,
        'leftover.suite: a leftover in the server root bails out' or diag_tap($r);
    is_deeply $r->{not_ok}, [], 'leftover.suite: no failed assertion before the bail-out'
        or diag_tap($r);
    is scalar(grep { /^TEST [12]:/ } @{ $r->{ok} }), 3,
        'leftover.suite: TEST 1 and TEST 2 passed (state under html/, *_temp, *_cache, logs/ is cleaned)'
        or diag_tap($r);
    is scalar(grep { /^TEST 3:/ } @{ $r->{ok} }), 0, 'leftover.suite: TEST 3 never ran';
}

done_testing();

# Runs a suite with its own port and server root; returns its exit status
# and the names of its passed and failed assertions.
sub run_suite {
    my ($suite) = @_;
    my $path = "$Root/$suite";
    (my $tag = $suite) =~ s{.*/|\.suite$}{}g;
    my $servroot = "$Root/t/servroot-meta-$tag";

    my @unset = qw(TEST_NGINX_SERVER_PORT TEST_NGINX_CLIENT_PORT
                   TEST_NGINX_RANDOMIZE TEST_NGINX_NO_CLEAN TEST_NGINX_NO_SHUFFLE);
    local @ENV{@unset};
    delete @ENV{@unset};
    local $ENV{TEST_NGINX_PORT} = free_port();
    local $ENV{TEST_NGINX_SERVROOT} = $servroot;

    my ($out, $err) = ('', '');
    my $ok = eval {
        IPC::Run::run([$^X, '-I', $Lib, $path], '<', \undef, '>', \$out, '2>', \$err,
                      init => sub { chdir $Root or die "chdir $Root: $!" },
                      IPC::Run::timeout(120));
        1;
    };
    my $exit = $ok ? $? >> 8 : -1;
    diag "running $suite failed: $@" unless $ok;

    my (%r, @ok, @not_ok);
    for my $line (split /\n/, $out) {
        if ($line =~ /^1\.\.(\d+)/) {
            $r{plan} = $1;
        } elsif ($line =~ /^(not )?ok \d+(?: - (.*))?/) {
            my ($failed, $name) = ($1, $2 // '');
            $name =~ s/\Q$path\E //g;
            push @{ $failed ? \@not_ok : \@ok }, $name;
        }
    }

    ok !nginx_running_in($servroot), "$suite leaves no nginx running";
    remove_tree($servroot);

    return { %r, exit => $exit, ok => \@ok, not_ok => \@not_ok,
             out => $out, err => $err };
}

sub free_port {
    my $sock = IO::Socket::INET->new(
        LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp', Listen => 1,
    ) or die "cannot find a free port: $!";
    return $sock->sockport;
}

# Any live (non-zombie) process started with this server root?
sub nginx_running_in {
    my ($servroot) = @_;
    for my $dir (glob '/proc/[0-9]*') {
        open my $fh, '<', "$dir/cmdline" or next;
        my $cmd = do { local $/; <$fh> } // '';
        next if index($cmd, $servroot) < 0;
        open my $st, '<', "$dir/stat" or next;
        my $stat = <$st> // '';
        return 1 unless $stat =~ /^\d+ \(.*\) Z/s;
    }
    return 0;
}

sub diag_tap {
    my ($r) = @_;
    diag "stdout:\n$r->{out}\nstderr:\n$r->{err}";
}
