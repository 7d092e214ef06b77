# The SigV4 test-suite runner (build/sigv4-suite) answers -h / --help with
# its usage on stdout and exit status 0, instead of taking the option
# for a folder (and counting a failed case); an unknown option is a usage
# error (exit 2), not a folder either.
use strict;
use warnings;
use FindBin;
use File::Temp ();
use POSIX ();
use Test::More;

my $bin = "$FindBin::Bin/../../build/sigv4-suite";
plan skip_all => 'build/sigv4-suite is not built (make)' unless -x $bin;

# run(ARGS...): (exit status, stdout, stderr) of the runner.
sub run {
    my (@args) = @_;
    my $err = File::Temp->new;
    my $pid = open my $out, '-|';
    die "fork: $!" unless defined $pid;
    if ($pid == 0) {
        open STDERR, '>&', $err or die "stderr: $!";
        exec $bin, @args or POSIX::_exit(127);
    }
    my $stdout = do { local $/; <$out> } // '';
    close $out;
    my $status = $? >> 8;
    seek $err, 0, 0;
    my $stderr = do { local $/; <$err> } // '';
    return ($status, $stdout, $stderr);
}

for my $opt ('-h', '--help') {
    my ($rc, $out) = run($opt);
    is($rc, 0, "$opt exits 0");
    like($out, qr/^usage: \S*sigv4-suite .*DIR/m, "$opt prints the usage on stdout");
    unlike($out, qr/^(?:\d+ passed|FAIL)/m, "$opt runs no case and counts nothing");
}

my ($rc, $out, $err) = run('--no-such-option');
is($rc, 2, 'an unknown option is a usage error');
like($err, qr/usage:/, 'an unknown option prints the usage on stderr');
unlike($out, qr/FAIL/, 'an unknown option is not taken for a folder');

done_testing();
