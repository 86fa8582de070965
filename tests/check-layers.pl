#!/usr/bin/perl
# check-layers.pl [TOP] - keeps the arrows between turnout's parts
# (docs/ARCHITECTURE.md, "Parts and arrows"). Reads every .c and .h under
# TOP/src and TOP/include/turnout and prints FILE:LINE: why for each
#   - include of a part the file's part may not use,
#   - SQLite call or <sqlite3.h> outside the library's store users,
#   - printf/exit family call below the front ends.
# Exits 1 if it found any, else 0.
use strict;
use warnings;

my $top = shift // '.';

# The part of a source file, from its folder.
sub part_of_source {
	my ($path) = @_;
	return 'front' if $path =~ m{^src/(main\.c|cmd/|web/)};
	return $1 if $path =~ m{^src/(store|fmt|wire|base)/};
	return 'concept' if $path =~ m{^src/[^/]+\.[ch]$};
	return undef;
}

# The part of a public header: the part of the source file it declares.
my %header_part = (
	'db.h' => 'handle',     # open/close: the one piece of the store the front ends see
	'store.h' => 'store',
	'version.h' => 'base',  # a constant every part may name
);
for my $c (glob("$top/src/*.c $top/src/*/*.c")) {
	(my $rel = $c) =~ s{^\Q$top\E/}{};
	my ($name) = $rel =~ m{([^/]+)\.c$};
	$header_part{"$name.h"} //= part_of_source($rel);
}

# Which parts each part may include.
my %may = (
	front   => [qw(front concept handle fmt base)],
	concept => [qw(concept store handle fmt wire base)],
	store   => [qw(store handle fmt base)],
	fmt     => [qw(fmt base)],
	wire    => [qw(wire fmt base)],
	base    => [qw(base)],
	handle  => [qw(base)],
);

my $bad = 0;
sub complain {
	my ($file, $line, $why) = @_;
	print "$file:$line: $why\n";
	$bad = 1;
}

# Blanks comments and string literals (keeping line breaks) so that only
# code is matched.
sub code_only {
	my ($text) = @_;
	$text =~ s{(/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')}{
		my $m = $1; (my $keep = $m) =~ s/[^\n]//g;
		$m =~ m{^"} ? '""' . $keep : $keep
	}gse;
	return $text;
}

my @files = (glob("$top/src/*.[ch] $top/src/*/*.[ch]"), glob("$top/include/turnout/*.h"));
for my $path (@files) {
	(my $rel = $path) =~ s{^\Q$top\E/}{};
	my $part;
	if ($rel =~ m{^include/turnout/([^/]+)$}) {
		$part = $header_part{$1};
		complain($rel, 1, "header of no part: add its source file or a rule") unless $part;
		next unless $part;
	} else {
		$part = part_of_source($rel);
		complain($rel, 1, "file outside the parts (src/, src/cmd, src/store, src/fmt, src/wire, src/base)")
			unless $part;
		next unless $part;
	}
	open(my $fh, '<', $path) or die "$path: $!";
	my $text = do { local $/; <$fh> };
	close $fh;

	my @lines = split /\n/, $text, -1;
	for my $i (0 .. $#lines) {
		my $l = $lines[$i];
		if ($l =~ m{^\s*#\s*include\s*"turnout/([^"]+)"}) {
			my $target = $header_part{$1} // 'unknown';
			complain($rel, $i + 1, "$part may not include turnout/$1 ($target)")
				unless grep { $_ eq $target } @{ $may{$part} };
		}
		if ($l =~ m{^\s*#\s*include\s*<sqlite3\.h>} && $part !~ /^(store|concept)$/) {
			complain($rel, $i + 1, "$part may not include <sqlite3.h>: SQL lives in the library");
		}
	}
	my @code = split /\n/, code_only($text), -1;
	for my $i (0 .. $#code) {
		my $l = $code[$i];
		if ($l =~ /\bsqlite3_\w+/ && $part !~ /^(store|concept)$/) {
			complain($rel, $i + 1, "$part may not call SQLite ($&): SQL lives in the library");
		}
		if ($part ne 'front' &&
		    $l =~ /(?<![\w.>])(printf|fprintf|vprintf|vfprintf|puts|fputs|putchar|fputc|perror|exit|_exit)\s*\(/) {
			complain($rel, $i + 1, "$part may not print or exit ($1): only the front ends do");
		}
	}
}
exit $bad;
