package sc.fiji.stylecrafter.plugin;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

import org.scijava.ItemIO;
import org.scijava.ItemVisibility;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.task.TaskService;
import org.scijava.widget.FileWidget;

import sc.fiji.stylecrafter.download.DownloadCancelledException;
import sc.fiji.stylecrafter.download.Downloader;
import sc.fiji.stylecrafter.engine.install.InstalledRuntime;
import sc.fiji.stylecrafter.engine.install.LibtorchArchive;
import sc.fiji.stylecrafter.engine.install.RuntimeInstaller;
import sc.fiji.stylecrafter.engine.GpuCheck;
import sc.fiji.stylecrafter.engine.NvidiaDriver;
import sc.fiji.stylecrafter.engine.RuntimeSelection;
import sc.fiji.stylecrafter.engine.RuntimeStatus;

/**
 * Plugins > StyleCrafter > Install GPU Runtime...: installs libtorch with CUDA 12.8 (PyTorch's official build, about
 * 3 GB to download, checked by its SHA-256; resumed where it stopped) so that StyleCrafter runs on an NVIDIA GPU, or
 * installs it offline from that zip or an unpacked libtorch folder ({@code from}). The dialog shows what the NVIDIA
 * driver says and whether the GPU is used now. Fiji must be restarted once the PyTorch engine was loaded.
 */
@Plugin(type = Command.class, menu = { @Menu(label = "Plugins"), @Menu(label = Menus.STYLECRAFTER), @Menu(label = "Install GPU Runtime...", weight = 23) }, headless = true)
public class InstallGpuRuntimeCommand extends ContextCommand implements MacroFriendly {

	@Parameter(required = false)
	private StatusService status;

	@Parameter(required = false)
	private TaskService tasks;

	@Parameter(required = false)
	private LogService log;

	@Parameter(visibility = ItemVisibility.MESSAGE, persist = false)
	private String now = DialogText.html(String.join("\n", RuntimeStatus.describe(RuntimeInstaller.defaultFolder(), false)));

	@Parameter(label = "Install from (optional)", style = FileWidget.OPEN_STYLE, required = false, persist = false,
		description = "The official libtorch 2.7.1+cu128 zip, or an unpacked libtorch folder; empty to download it (about 3 GB)")
	private File from;

	@Parameter(label = "Keep the downloaded zip", required = false, persist = false)
	private boolean keepzip = false;

	@Parameter(type = ItemIO.OUTPUT, label = "StyleCrafter GPU runtime")
	private String report;

	@Override
	public void run() {
		Path root = RuntimeInstaller.defaultFolder();
		RuntimeInstaller installer = new RuntimeInstaller(root, LibtorchArchive.OFFICIAL, Downloader.DiskSpace.REAL);
		try (FijiProgress progress = FijiProgress.start("StyleCrafter", "StyleCrafter: installing the GPU runtime", tasks, status, log)) {
			String classifier = LibtorchArchive.currentClassifier();
			boolean offline = from != null && !from.getPath().isBlank();
			if (!offline) {
				String noGpu = noGpu(NvidiaDriver.probe());
				if (noGpu != null) {
					fail("The GPU runtime is not needed on this machine: " + noGpu + ". StyleCrafter runs on the CPU here, with nothing to install; "
						+ "nothing was downloaded. Once an NVIDIA GPU and its driver are installed, run this command again.");
					return;
				}
			}
			InstalledRuntime r = offline
				? installer.from(from.toPath(), classifier, progress, progress::cancelled)
				: installer.download(classifier, new Downloader(Downloader.Options.defaults()), keepzip, progress, progress::cancelled);
			boolean chosen = RuntimeSelection.made().isPresent();
			report = String.format(Locale.ROOT, "libtorch %s %s is installed in %s (%.1f GB). %s", r.version(), r.flavor(), r.dir(), r.totalBytes() / 1e9,
				chosen ? "Restart Fiji to use it: the PyTorch engine of this Fiji was already chosen." : "StyleCrafter uses it from the next generation.");
			progress.report(report);
		}
		catch (DownloadCancelledException e) {
			fail("Install cancelled: " + e.getMessage());
		}
		catch (IOException e) {
			fail("Installing the GPU runtime into " + root + " failed: " + e.getMessage());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			fail("interrupted; what was downloaded is kept and the next install resumes there");
		}
	}

	/**
	 * Why a GPU runtime is of no use here (no driver, or no GPU), in the driver check's words, or {@code null} when the
	 * driver reports a GPU.
	 */
	static String noGpu(NvidiaDriver.Report driver) {
		return !driver.found() || driver.gpus().isEmpty() ? GpuCheck.driverProblem(driver) : null;
	}

	private void fail(String message) {
		UserMessages.fail(this, message, log);
	}
}
