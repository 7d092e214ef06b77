# prism's C outside ngx_module/ is in the style of .clang-format
# (docs/contributing.md, "C style"): clang-format 14 would change nothing.
# A file it would change fails, with its first differing lines.
use strict;
use warnings;
use FindBin;
use Test::More;

my $root = "$FindBin::Bin/../..";
chdir $root or die "$root: $!";
my $cf = '/usr/bin/clang-format-14';
BAIL_OUT("$cf missing: scripts/deps.sh installs it") unless -x $cf;

my @files = grep { !m{^ngx_module/} } split /\n/, `git ls-files '*.c' '*.h'`;
ok(@files > 100, 'the C files are found (' . scalar(@files) . ')');
# one run over every file: clang-format names each change FILE:LINE:COL
my %off;
open my $cfh, '-|', "$cf --style=file --dry-run @files 2>&1" or die "$cf: $!";
while (my $line = <$cfh>) {
    $off{$1} //= $line if $line =~ /^(\S+?):\d+:\d+: warning:/;
}
close $cfh;
my @off = map { $off{$_} } sort keys %off;
is(scalar @off, 0, 'every C file outside ngx_module/ is formatted')
    or diag("not formatted (clang-format-14 -i --style=file FILE):\n", @off);
done_testing();
