from liveshow.cli import main

main()
