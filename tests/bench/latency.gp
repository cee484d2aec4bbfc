# gnuplot: round-trip medians per mechanism from kipc-bench's latency.dat.
# Run as: gnuplot -e "dat='build/bench/latency.dat'; png='build/bench/latency.png'" tests/bench/latency.gp
if (!exists("dat")) dat = 'build/bench/latency.dat'
if (!exists("png")) png = 'build/bench/latency.png'
set terminal pngcairo size 900,500 noenhanced font ",10"
set output png
set title "Two-process round trip, median (QEMU guest; compare ratios, not absolutes)"
set ylabel "µs per round trip"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key top left
set grid ytics
set yrange [0:*]
set xtics rotate by -20
plot dat using 2:xtic(1) title "64 B", \
     ''  using 3 title "1 KiB", \
     ''  using 4 title "4 KiB"
