# tests/bench/fleet.gp - machines booted against time, one line per server,
# from tests/bench/fleet.dat (tests/bench/fleet.sh writes both; make bench
# runs this): gnuplot tests/bench/fleet.gp > tests/bench/fleet.png
set terminal pngcairo size 900,520 font "sans,11"
set title "Fleet boot: machines with kernel and initrd, against time (tests/bench/fleet.sh)"
set xlabel "seconds since power-on (all at once)"
set ylabel "machines booted"
set key right center box opaque
set grid
set yrange [0:*]
set xrange [0:*]
plot for [i=0:*] "tests/bench/fleet.dat" index i using 1:2 with steps linewidth 2 title columnheader(1)
