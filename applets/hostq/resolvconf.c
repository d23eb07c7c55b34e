/* resolvconf.c -- hostq's reader of /etc/resolv.conf: servers, search list, options. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "hostq.h"

static void
resolvconf_search(struct hostq *h, char *args)
{
	char	*word, *save = NULL;

	h->nsearch = 0;
	for (word = strtok_r(args, " \t", &save); word != NULL;
	    word = strtok_r(NULL, " \t", &save)) {
		if (h->nsearch == HOSTQ_MAXSEARCH)
			break;
		snprintf(h->search[h->nsearch++], sizeof(h->search[0]), "%s", word);
	}
}

/* host 9.18 was seen ignoring "attempts" and "debug", so hostq does too. */
static void
resolvconf_options(struct hostq *h, char *args)
{
	char	*word, *save = NULL;
	int	 n;

	for (word = strtok_r(args, " \t", &save); word != NULL;
	    word = strtok_r(NULL, " \t", &save)) {
		if (strncmp(word, "ndots:", 6) == 0 && h->ndots < 0)
			h->ndots = hostq_atoi(word + 6);
		else if (strncmp(word, "timeout:", 8) == 0 && h->timeout == 0) {
			n = hostq_atoi(word + 8);
			h->timeout = n < 1 ? 1 : n;
		}
	}
}

static void
resolvconf_server(struct hostq *h, const char *addr)
{
	struct hostq_server	*s;
	char			 buf[256];
	char			*pct;

	if (h->nservers == HOSTQ_MAXNS)
		return;
	s = &h->servers[h->nservers];
	snprintf(buf, sizeof(buf), "%s", addr);
	/* A zone index (fe80::1%eth0) is dropped: the kernel picks the link. */
	if ((pct = strchr(buf, '%')) != NULL)
		*pct = '\0';
	if (netaddr_parse(buf, &s->addr) == -1)
		return;
	snprintf(s->name, sizeof(s->name), "%s", addr);
	h->nservers++;
}

void
resolvconf_read(struct hostq *h, const char *path, int want_servers)
{
	FILE	*f;
	char	 line[1024], first[256], *p, *key, *args;
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		n = strcspn(line, "#;\r\n");
		line[n] = '\0';
		for (p = line; isspace((unsigned char)*p); p++)
			;
		key = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		args = p;
		n = strcspn(args, " \t");
		if (n == 0 || n >= sizeof(first))
			continue;
		memcpy(first, args, n);
		first[n] = '\0';
		if (strcmp(key, "nameserver") == 0 && want_servers)
			resolvconf_server(h, first);
		else if (strcmp(key, "search") == 0)
			resolvconf_search(h, args);
		else if (strcmp(key, "domain") == 0)
			resolvconf_search(h, first);
		else if (strcmp(key, "options") == 0)
			resolvconf_options(h, args);
	}
	fclose(f);
}
