# The layering rules of docs/architecture.md ("What may include what"):
# every #include of a prism header in a part's .c and .h files (its bin/
# programs included) must name a header of the part itself or of a part
# it may use.  A forbidden include fails with its file and line.
use strict;
use warnings;
use File::Find;
use FindBin;
use Test::More;

my $root = "$FindBin::Bin/../..";

# part => the other parts it may include; '*' all but those after '!'
my %may = (
    'include'        => [],
    'aws'            => [],
    'imageinfo'      => [],
    'imaging'        => ['imageinfo'],
    'plugin-support' => ['include', 'imaging', 'imageinfo'],
    'ingress'        => ['aws', 'imageinfo'],
    'admin'          => ['aws'],
    'ngx_module'     => ['ingress', 'aws', 'imageinfo'],
    'host'           => ['*', '!ngx_module', '!provision', '!tools'],
    'plugins'        => ['include', 'imaging', 'imageinfo', 'plugin-support'],
    'provision'      => ['*', '!ngx_module'],
    'tools'          => ['*', '!ngx_module'],
    'examples'       => ['include'],
);
my @parts = sort keys %may;

# allowed(FROM, TO): 1 when part FROM may include a header of part TO.
sub allowed {
    my ($from, $to) = @_;
    return 1 if $from eq $to;
    my @rule = @{ $may{$from} };
    return 0 if grep { $_ eq "!$to" } @rule;
    return scalar grep { $_ eq '*' || $_ eq $to } @rule;
}

# every prism source file, by part; every header, by name and by path
my (%files, %by_name, %by_path);
for my $part (grep { -d "$root/$_" } @parts) {
    find({ no_chdir => 1, wanted => sub {
        return unless /\.[ch]$/ && -f;
        (my $rel = $File::Find::name) =~ s{^\Q$root\E/}{};
        push @{ $files{$part} }, $rel;
        if (/\.h$/) {
            (my $name = $rel) =~ s{.*/}{};
            push @{ $by_name{$name} }, $part;
            $by_path{$rel} = $part;
        }
    } }, "$root/$part");
}
ok(scalar keys %files, 'the parts are found');

# part_of(FILE, HEADER): the part HEADER, as FILE includes it, belongs to,
# or undef for a header that is not prism's (system, generated).
sub part_of {
    my ($file, $header) = @_;
    (my $dir = $file) =~ s{/[^/]+$}{};
    return $by_path{"$dir/$header"} if exists $by_path{"$dir/$header"};
    if ($header =~ m{/}) {    # prism/plugin.h: under an include directory
        for my $p (sort keys %by_path) {
            return $by_path{$p} if $p =~ m{(?:^|/)\Q$header\E$};
        }
        return undef;
    }
    my $in = $by_name{$header} or return undef;
    my ($mine) = grep { $file =~ m{^\Q$_\E/} } @$in;
    return $mine // $in->[0];
}

my @bad;
for my $part (sort keys %files) {
    for my $file (sort @{ $files{$part} }) {
        open my $fh, '<', "$root/$file" or die "$file: $!";
        while (my $line = <$fh>) {
            next unless $line =~ /^\s*#\s*include\s*["<]([^">]+)[">]/;
            my $to = part_of($file, $1);
            push @bad, "$file:$.: $part may not include \"$1\" (of $to)"
                if defined $to && !allowed($part, $to);
        }
        close $fh;
    }
}
is(scalar @bad, 0, 'no part includes a header it may not') or diag(join("\n", @bad));
done_testing();
