/* version.h -- release number, also read by the Makefile for `make dist`. */
#ifndef EDGEBOX_VERSION_H
#define EDGEBOX_VERSION_H
#define EDGEBOX_VERSION	"0.1.0"
#endif
