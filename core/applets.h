/* applets.h -- entry points of the applets that core/main.c dispatches to. */
#ifndef EDGEBOX_APPLETS_H
#define EDGEBOX_APPLETS_H

int	dnsd_main(int argc, char **argv);
int	hostq_main(int argc, char **argv);
int	ntpctl_main(int argc, char **argv);
int	ntpd_main(int argc, char **argv);

#endif
