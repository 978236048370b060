package sc.fiji.stylecrafter.plugin;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

import sc.fiji.stylecrafter.engine.DeviceChoice;
import sc.fiji.stylecrafter.pipeline.SelfTest;
import sc.fiji.stylecrafter.engine.install.RuntimeInstaller;
import sc.fiji.stylecrafter.engine.RuntimeStatus;

/**
 * Plugins > StyleCrafter > Runtime Status...: what {@code stylecrafter runtime status} and {@code stylecrafter selftest}
 * print, in Fiji: the NVIDIA driver, the runtimes installed, which libtorch is loaded and whether the GPU is used; then,
 * unless {@code check} is off, which faster kernel routes this machine computes right at the model's shapes (a table;
 * a route rejected at a shape is never used there). The text is the command's output (shown in a window, a macro's
 * return) and goes to the log.
 */
@Plugin(type = Command.class, menu = { @Menu(label = "Plugins"), @Menu(label = Menus.STYLECRAFTER), @Menu(label = "Runtime Status...", weight = 24) }, headless = true)
public class RuntimeStatusCommand extends ContextCommand implements MacroFriendly {

	@Parameter(required = false)
	private StatusService status;

	@Parameter(required = false)
	private LogService log;

	@Parameter(label = "Check the kernel routes", description = "About a minute at the official sizes on a desktop CPU", required = false, persist = false)
	private boolean check = true;

	@Parameter(label = "Device", choices = { DeviceChoice.AUTO_LABEL, DeviceChoice.CPU_LABEL, DeviceChoice.GPU_LABEL }, required = false, persist = false)
	private String device = DeviceChoice.AUTO_LABEL;

	@Parameter(label = "Model folder (optional)", style = FileWidget.DIRECTORY_STYLE, required = false, persist = false,
		description = "Check at this model's sizes (loads it); empty: the official sizes, no weights needed")
	private File models;

	@Parameter(type = ItemIO.OUTPUT, label = "StyleCrafter runtime")
	private String report;

	@Override
	public void run() {
		List<String> lines = new ArrayList<>(RuntimeStatus.describe(RuntimeInstaller.defaultFolder(), true));
		if (check) {
			try {
				SelfTest.Report r = SelfTest.run(models == null || models.getPath().isBlank() ? null : models.toPath(), DeviceChoice.parse(device), "all",
					line -> {
						if (status != null) status.showStatus("StyleCrafter: " + line);
					});
				lines.addAll(r.lines());
			}
			catch (IOException | RuntimeException e) {
				UserMessages.fail(this, "Checking the kernel routes failed: " + e.getMessage(), log);
				return;
			}
			finally {
				if (status != null) status.clearStatus();
			}
		}
		report = String.join("\n", lines);
		if (log != null) for (String line : lines) log.info("StyleCrafter: " + line);
	}
}
