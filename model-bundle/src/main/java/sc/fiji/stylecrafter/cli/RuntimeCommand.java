package sc.fiji.stylecrafter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import sc.fiji.stylecrafter.download.Downloader;
import sc.fiji.stylecrafter.engine.RuntimeStatus;
import sc.fiji.stylecrafter.engine.install.InstalledRuntime;
import sc.fiji.stylecrafter.engine.install.LibtorchArchive;
import sc.fiji.stylecrafter.engine.install.RuntimeFolder;
import sc.fiji.stylecrafter.engine.install.RuntimeInstaller;
import sc.fiji.stylecrafter.task.CancellationToken;
import sc.fiji.stylecrafter.cli.base.CliCommand;
import sc.fiji.stylecrafter.cli.base.Terminal;

/**
 * {@code stylecrafter runtime status|install|remove [--dir DIR] [--from ZIP_OR_FOLDER] [--keep-zip]}: the GPU runtime
 * (libtorch with CUDA) in {@code $STYLECRAFTER_RUNTIME} or {@code ~/.stylecrafter/runtime}.
 * <ul>
 * <li>{@code status}: driver, GPUs, what is installed, which libtorch would load and whether the GPU is used, and why;
 * it loads nothing, so a runtime that cannot load is reported, not fatal.</li>
 * <li>{@code install}: downloads PyTorch's official libtorch 2.7.1+cu128 zip for this platform (resuming), checks its
 * SHA-256 and installs it once it loads in a separate Java process; {@code --from} installs from that zip or an
 * unpacked libtorch folder instead, offline.</li>
 * <li>{@code remove}: deletes what the installer made (runtimes, unfinished installs, its downloads) and names what it
 * leaves; a folder the installer never wrote to is refused, exit 1.</li>
 * </ul>
 */
@Command(name = "runtime", mixinStandardHelpOptions = true, description = "The GPU runtime (libtorch with CUDA): status, install, remove.",
	subcommands = { RuntimeCommand.Status.class, RuntimeCommand.Install.class, RuntimeCommand.Remove.class })
final class RuntimeCommand extends CliCommand {

	private final List<LibtorchArchive> known;
	private final Downloader downloader;

	RuntimeCommand() {
		this(LibtorchArchive.OFFICIAL, new Downloader(Downloader.Options.defaults()));
	}

	/** @param known the archives it may install (the official ones; others in tests) */
	RuntimeCommand(List<LibtorchArchive> known, Downloader downloader) {
		this.known = known;
		this.downloader = downloader;
	}

	/** No action: the usage, exit 2. */
	@Override
	public Integer call() {
		return usage();
	}

	/** An action on the runtime folder; a failure is one line, exit 1. */
	abstract static class Action extends CliCommand {

		@ParentCommand
		RuntimeCommand parent;

		@Option(names = "--dir", paramLabel = "DIR", description = "The runtime folder (default: $STYLECRAFTER_RUNTIME or ~/.stylecrafter/runtime).")
		Path dir;

		@Override
		public Integer call() {
			RuntimeInstaller installer = new RuntimeInstaller(dir != null ? dir : RuntimeInstaller.defaultFolder(), parent.known, Downloader.DiskSpace.REAL);
			return guarded(() -> act(installer));
		}

		abstract int act(RuntimeInstaller installer) throws IOException, InterruptedException;
	}

	@Command(name = "status", mixinStandardHelpOptions = true, description = "Driver, GPUs, installed runtimes, which libtorch loads and why.")
	static final class Status extends Action {

		@Option(names = "--routes", description = "Also the kernel routes this machine's stored verdicts choose on the CPU (loads the CPU engine).")
		boolean routes;

		@Override
		int act(RuntimeInstaller installer) {
			for (String line : RuntimeStatus.describe(installer.root(), false)) out().println(line);
			if (routes) {
				Path file;
				List<String> lines;
				try {
					file = sc.fiji.stylecrafter.nn.RouteChecks.cacheFile();
					lines = sc.fiji.stylecrafter.nn.RouteChecks.storedSummary();
				}
				catch (RuntimeException | LinkageError e) { // libtorch did not load: the status above says why
					out().println("kernel routes: cannot be listed, libtorch did not load (" + e.getMessage() + ")");
					return 1;
				}
				if (file == null) out().println("kernel routes: verdicts are not kept (-Dstylecrafter.routes=off); each process checks afresh");
				else if (lines.isEmpty()) out().println("kernel routes: no verdicts stored for this machine yet in " + file + " (they are made at the first generation)");
				else {
					out().println("kernel routes on this machine's CPU, at " + ai.djl.pytorch.jni.JniUtils.getNumThreads() + " thread(s), as stored in " + file + ":");
					lines.forEach(l -> out().println("  " + l));
				}
			}
			return 0;
		}
	}

	@Command(name = "install", mixinStandardHelpOptions = true, description = "Downloads (about 3 GB, resumed) or installs from a zip or folder.")
	static final class Install extends Action {

		@Option(names = "--from", paramLabel = "ZIP_OR_FOLDER", description = "Install from the official zip or an unpacked libtorch folder, offline.")
		Path from;

		@Option(names = "--keep-zip", description = "Keep the downloaded zip.")
		boolean keepZip;

		@Override
		int act(RuntimeInstaller installer) throws IOException, InterruptedException {
			String classifier = LibtorchArchive.currentClassifier();
			RuntimeInstaller.Listener listener = Terminal.downloadProgress(err());
			InstalledRuntime r;
			if (from != null) {
				out().println("installing from " + from.toAbsolutePath() + " into " + installer.root().toAbsolutePath());
				r = installer.from(from, classifier, listener, CancellationToken.NEVER);
			}
			else {
				LibtorchArchive.forPlatform(installer.known(), classifier).ifPresent(a -> out().println("downloading " + a.fileName() + " ("
					+ (a.bytes() > 0 ? String.format(Locale.ROOT, "%.2f GB", a.bytes() / 1e9) : "about 3 GB") + ") from " + a.uri().getHost() + " into "
					+ installer.root().toAbsolutePath() + "; an interrupted download resumes when this is run again"));
				r = installer.download(classifier, parent.downloader, keepZip, listener, CancellationToken.NEVER);
			}
			out().printf(Locale.ROOT, "installed libtorch %s %s in %s (%.2f GB); StyleCrafter uses it from its next start%n", r.version(), r.flavor(), r.dir(),
				r.totalBytes() / 1e9);
			return 0;
		}
	}

	@Command(name = "remove", mixinStandardHelpOptions = true, description = "Deletes what the installer made (runtimes, its downloads); other files stay.")
	static final class Remove extends Action {

		@Override
		int act(RuntimeInstaller installer) throws IOException {
			Path root = installer.root();
			if (!Files.isDirectory(root)) {
				out().println("nothing to remove: " + root + " does not exist");
				return 0;
			}
			RuntimeFolder.Removal r = installer.remove();
			if (r.removed().isEmpty() && r.left().isEmpty()) out().println("nothing was installed in " + root + "; its folder held only the installer's record and is removed");
			else if (r.removed().isEmpty()) out().println("nothing of the installer's to remove in " + root);
			else out().println("removed from " + root + ": " + String.join(", ", r.removed()));
			if (!r.left().isEmpty()) {
				out().println("left in " + root + " (not made by the installer): " + String.join(", ", r.left()));
			}
			return 0;
		}
	}
}
