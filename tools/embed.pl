#!/usr/bin/perl
# embed.pl FILE... - writes, on stdout, the C source that compiles the
# built-in e-mail templates into turnout (templates.h's
# tn_templates_builtin): one entry per FILE, named by its base name,
# sorted by name, its bytes as string literals with their length. The
# Makefile runs it over templates/*, so adding a template file needs no
# code. \ and " are escaped; bytes outside printable ASCII, and ?, are
# written as octal escapes (? because C17 still reads trigraphs).
use strict;
use warnings;

my %files;
for my $path (@ARGV) {
	(my $name = $path) =~ s{.*/}{};
	die "embed.pl: $path: a name of letters, digits, '.', '_' and '-' only\n"
		unless $name =~ /^[A-Za-z0-9._-]+$/;
	die "embed.pl: $name: given twice\n" if exists $files{$name};
	open(my $fh, '<:raw', $path) or die "embed.pl: $path: $!\n";
	local $/;
	$files{$name} = <$fh> // '';
	close $fh;
}

print "/* Made by tools/embed.pl from templates/ at build time: do not edit. */\n";
print "#include <stddef.h>\n\n#include \"turnout/templates.h\"\n\n";
print "extern const struct tn_template_file tn_templates_builtin_files[];\n";
print "extern const size_t tn_templates_builtin_count;\n\n";
print "const struct tn_template_file tn_templates_builtin_files[] = {\n";
for my $name (sort keys %files) {
	my $data = $files{$name};
	print "\t{ \"$name\",\n";
	if ($data eq '') {
		print "\t  \"\"";
	}
	# one literal per line of the file, so the generated file reads well
	my @lines = $data =~ /([^\n]*\n|[^\n]+$)/g;
	for my $i (0 .. $#lines) {
		my $lit = join '', map {
			my $o = ord($_);
			$_ eq "\n" ? '\n' : $_ eq "\t" ? '\t' : $_ eq '"' ? '\"' :
			$_ eq '\\' ? '\\\\' : ($o < 0x20 || $o > 0x7E || $_ eq '?')
				? sprintf('\\%03o', $o) : $_
		} split //, $lines[$i];
		print "\t  \"$lit\"", $i == $#lines ? "" : "\n";
	}
	print ", ", length($data), " },\n";
}
print "};\n";
print "const size_t tn_templates_builtin_count = ", scalar(keys %files), ";\n";
