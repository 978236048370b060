package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import sc.fiji.stylecrafter.download.DownloadCancelledException;
import sc.fiji.stylecrafter.download.Downloader;
import sc.fiji.stylecrafter.download.ModelFile;
import sc.fiji.stylecrafter.task.CancellationToken;
import sc.fiji.stylecrafter.engine.install.InstalledRuntime;
import sc.fiji.stylecrafter.engine.install.LibtorchArchive;
import sc.fiji.stylecrafter.engine.install.RuntimeInstaller;
import sc.fiji.stylecrafter.engine.RuntimeStatus;

/**
 * {@code stylecrafter runtime status|install|remove [--dir DIR] [--from ZIP_OR_FOLDER] [--keep-zip]}: the GPU runtime
 * (libtorch with CUDA) in {@code $STYLECRAFTER_RUNTIME} or {@code ~/.stylecrafter/runtime}.
 * <ul>
 * <li>{@code status}: driver, GPUs, what is installed, which libtorch loads and whether the GPU is used, and why.</li>
 * <li>{@code install}: downloads PyTorch's official libtorch 2.7.1+cu128 zip for this platform (resuming), checks its
 * SHA-256 and installs it; {@code --from} installs from that zip or an unpacked libtorch folder instead, offline.</li>
 * <li>{@code remove}: deletes the installed runtimes and downloads.</li>
 * </ul>
 */
final class RuntimeCommand {

	static final String USAGE = "usage: stylecrafter runtime status|install|remove [--dir DIR] [--from ZIP_OR_FOLDER] [--keep-zip]";

	private RuntimeCommand() {}

	static int run(String[] args, PrintStream out, PrintStream err) {
		return run(args, out, err, LibtorchArchive.OFFICIAL, new Downloader(Downloader.Options.defaults()));
	}

	static int run(String[] args, PrintStream out, PrintStream err, List<LibtorchArchive> known, Downloader downloader) {
		if (args.length == 0) {
			err.println(USAGE);
			return 2;
		}
		Path dir = RuntimeInstaller.defaultFolder();
		Path from = null;
		boolean keepZip = false;
		for (int i = 1; i < args.length; i++) {
			switch (args[i]) {
				case "--dir":
				case "--from":
					if (i + 1 >= args.length) {
						err.println("stylecrafter runtime: " + args[i] + " needs a path\n" + USAGE);
						return 2;
					}
					if (args[i].equals("--dir")) dir = Path.of(args[++i]);
					else from = Path.of(args[++i]);
					break;
				case "--keep-zip": keepZip = true; break;
				default:
					err.println("stylecrafter runtime: unknown option '" + args[i] + "'\n" + USAGE);
					return 2;
			}
		}
		RuntimeInstaller installer = new RuntimeInstaller(dir, known, Downloader.DiskSpace.REAL);
		try {
			switch (args[0]) {
				case "status":
					for (String line : RuntimeStatus.describe(dir, true)) out.println(line);
					return 0;
				case "install": return install(installer, from, keepZip, downloader, out, err);
				case "remove":
					List<Path> removed = installer.remove();
					out.println(removed.isEmpty() ? "nothing to remove in " + dir : "removed: " + removed);
					return 0;
				default:
					err.println("stylecrafter runtime: unknown action '" + args[0] + "'\n" + USAGE);
					return 2;
			}
		}
		catch (DownloadCancelledException e) {
			err.println("stylecrafter runtime: " + InspectCommand.oneLine(e.getMessage()));
			return 1;
		}
		catch (IOException | RuntimeException e) {
			err.println("stylecrafter runtime: " + e.getMessage());
			return 1;
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			err.println("stylecrafter runtime: interrupted");
			return 1;
		}
	}

	private static int install(RuntimeInstaller installer, Path from, boolean keepZip, Downloader downloader, PrintStream out, PrintStream err)
		throws IOException, InterruptedException
	{
		String classifier = LibtorchArchive.currentClassifier();
		RuntimeInstaller.Listener listener = progress(err);
		InstalledRuntime r;
		if (from != null) {
			out.println("installing from " + from.toAbsolutePath() + " into " + installer.root().toAbsolutePath());
			r = installer.from(from, classifier, listener, CancellationToken.NEVER);
		}
		else {
			LibtorchArchive.forPlatform(installer.known(), classifier).ifPresent(a -> out.println("downloading " + a.fileName() + " ("
				+ (a.bytes() > 0 ? String.format(Locale.ROOT, "%.2f GB", a.bytes() / 1e9) : "about 3 GB") + ") from " + a.uri().getHost()
				+ " into " + installer.root().toAbsolutePath() + "; an interrupted download resumes when this is run again"));
			r = installer.download(classifier, downloader, keepZip, listener, CancellationToken.NEVER);
		}
		out.printf(Locale.ROOT, "installed libtorch %s %s in %s (%.2f GB); StyleCrafter uses it from its next start%n", r.version(), r.flavor(), r.dir(),
			r.totalBytes() / 1e9);
		return 0;
	}

	/** Download and install progress on standard error, at most once a second (also for {@code models download}). */
	static RuntimeInstaller.Listener progress(PrintStream err) {
		long[] last = { 0 };
		return new RuntimeInstaller.Listener() {

			@Override
			public void progress(ModelFile file, long done, long total, double bytesPerSecond, double secondsLeft) {
				if (!due(done, total)) return;
				err.printf(Locale.ROOT, "%s: %.1f of %.1f MB%s%s%n", file.name(), done / 1e6, total / 1e6,
					Double.isNaN(bytesPerSecond) ? "" : String.format(Locale.ROOT, ", %.1f MB/s", bytesPerSecond / 1e6),
					Double.isNaN(secondsLeft) ? "" : String.format(Locale.ROOT, ", %.0f s left", secondsLeft));
			}

			@Override
			public void message(String text) {
				err.println(text);
			}

			@Override
			public void step(String what, long done, long total) {
				if (due(done, total)) err.printf(Locale.ROOT, "%s: %.0f%%%n", what, 100.0 * done / Math.max(1, total));
			}

			private boolean due(long done, long total) {
				long now = System.nanoTime();
				if (now - last[0] < 1_000_000_000L && done != total) return false;
				last[0] = now;
				return true;
			}
		};
	}
}
