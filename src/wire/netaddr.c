/*
 * netaddr.c - loopback hosts (netaddr.h).
 */
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "turnout/netaddr.h"

int tn_host_is_loopback(const char *host)
{
	unsigned char a4[4];
	struct in6_addr a6;
	char inner[64];
	size_t n = strlen(host);

	if (strcasecmp(host, "localhost") == 0 ||
	    (n > 10 && strcasecmp(host + n - 10, ".localhost") == 0))
		return 1;
	if (inet_pton(AF_INET, host, a4) == 1)
		return a4[0] == 127;
	if (n > 2 && n < sizeof(inner) && host[0] == '[' && host[n - 1] == ']') {
		memcpy(inner, host + 1, n - 2);
		inner[n - 2] = '\0';
		return inet_pton(AF_INET6, inner, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
	}
	return 0;
}
