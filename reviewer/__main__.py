import multiprocessing

from reviewer.cli import main

if __name__ == "__main__":
    # The bundled executable starts ingest workers by re-running itself; this lets it act as one.
    multiprocessing.freeze_support()
    raise SystemExit(main())
