# The nginx module's file graph (docs/architecture.md, "The module's
# files"): file A depends on file B when A uses a function or variable
# that B defines (B's external symbols, those not "static").  The graph
# must have no cycle: a step of the upload path never calls back into
# the file that drives it.  Read from the sources, so it needs no build:
# a definition is a name at the start of a line (nginx's style puts the
# return type on the line before), a use is that name anywhere else
# outside comments and strings.
#
# ngx_http_prism_module, nginx's module object, is left out: every file
# reaches its configuration through it, as nginx's own modules do.
use strict;
use warnings;
use FindBin;
use Test::More;

my $dir = "$FindBin::Bin/../../ngx_module";
my @files = sort map { m{([^/]+)\.c$} } glob("$dir/*.c");
ok(@files, 'the module\'s sources are found');

my %ignore = (ngx_http_prism_module => 1);

# code(FILE): the file's text without comments, strings and characters.
sub code {
    my ($file) = @_;
    open my $fh, '<', "$dir/$file.c" or die "$file.c: $!";
    local $/;
    my $text = <$fh>;
    close $fh;
    $text =~ s{/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'}
              { my $m = $&; $m =~ tr/\n//cd; $m eq '' ? ' ' : $m }gse;
    return $text;
}

my (%text, %defined_in);
for my $f (@files) {
    $text{$f} = code($f);
    my @lines = split /\n/, $text{$f};
    for my $i (0 .. $#lines) {
        my $line = $lines[$i];
        my $name;
        if ($line =~ /^(ngx_http_prism_\w+)\s*\(/) {            # a function
            my $j = $i - 1;
            $j-- while $j >= 0 && $lines[$j] =~ /^\s*$/;
            next if $j >= 0 && $lines[$j] =~ /^static\b/;
            $name = $1;
        } elsif ($line =~ /^(?!static\b|extern\b|typedef\b)\w[\w\s\*]*?\b(ngx_http_prism_\w+)\s*(?:\[[^\]]*\])?\s*=/) {
            $name = $1;                                          # a variable
        }
        next unless defined $name && !$ignore{$name};
        die "$name is defined in $defined_in{$name}.c and $f.c\n"
            if $defined_in{$name} && $defined_in{$name} ne $f;
        $defined_in{$name} = $f;
    }
}

# edges: FILE => { OTHER => [the names it uses] }
my %uses;
for my $f (@files) {
    my %seen;
    for my $name ($text{$f} =~ /\b(ngx_http_prism_\w+)\b/g) {
        my $to = $defined_in{$name} or next;
        next if $to eq $f || $seen{$name}++;
        push @{ $uses{$f}{$to} }, $name;
    }
}

my $short = sub { (my $s = $_[0]) =~ s/^ngx_http_prism_?//; $s eq '' ? 'prism' : $s };
note('the module\'s file graph (file -> the files it uses):');
for my $f (@files) {
    note(sprintf('  %-12s -> %s', $short->($f),
                 join(' ', map { $short->($_) } sort keys %{ $uses{$f} || {} })));
}

# Tarjan's strongly connected components: a component of more than one
# file is a cycle.
my ($index, @stack, %on, %idx, %low, @sccs) = (0);
my $visit;
$visit = sub {
    my ($v) = @_;
    $idx{$v} = $low{$v} = $index++;
    push @stack, $v;
    $on{$v} = 1;
    for my $w (sort keys %{ $uses{$v} || {} }) {
        if (!exists $idx{$w}) {
            $visit->($w);
            $low{$v} = $low{$w} if $low{$w} < $low{$v};
        } elsif ($on{$w}) {
            $low{$v} = $idx{$w} if $idx{$w} < $low{$v};
        }
    }
    if ($low{$v} == $idx{$v}) {
        my @scc;
        while (1) {
            my $w = pop @stack;
            $on{$w} = 0;
            push @scc, $w;
            last if $w eq $v;
        }
        push @sccs, [sort @scc] if @scc > 1;
    }
};
$visit->($_) for grep { !exists $idx{$_} } @files;

my @why;
for my $scc (@sccs) {
    my %in = map { $_ => 1 } @$scc;
    push @why, 'cycle among: ' . join(' ', map { $short->($_) } @$scc);
    for my $f (@$scc) {
        for my $to (sort grep { $in{$_} } keys %{ $uses{$f} || {} }) {
            push @why, sprintf('  %s -> %s (%s)', $short->($f), $short->($to),
                               join(', ', @{ $uses{$f}{$to} }));
        }
    }
}
is(scalar @sccs, 0, 'no cycle among the module\'s files') or diag(join("\n", @why));
done_testing();
