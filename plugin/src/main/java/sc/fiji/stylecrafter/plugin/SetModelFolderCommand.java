package sc.fiji.stylecrafter.plugin;

import java.io.File;
import java.util.List;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Menu;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

/**
 * Plugins > StyleCrafter > Set Model Folder...: remembers the folder with the model files after checking it, and says
 * exactly which file is missing or unreadable. A model of another folder that is loaded is closed once the running
 * generation (if any) has finished.
 */
@Plugin(type = Command.class, menu = { @Menu(label = "Plugins"), @Menu(label = Menus.STYLECRAFTER), @Menu(label = "Set Model Folder...", weight = 22) }, headless = true)
public class SetModelFolderCommand extends ContextCommand implements MacroFriendly {

	@Parameter
	private StyleCrafterService service;

	@Parameter(required = false)
	private LogService log;

	@Parameter(label = "Model folder", style = FileWidget.DIRECTORY_STYLE,
		description = "Holds model.ckpt, adapter_v1.pth, temporal_v1_1.pth, open_clip_pytorch_model.bin and bpe_simple_vocab_16e6.txt.gz")
	private File folder;

	@Parameter(type = ItemIO.OUTPUT, label = "StyleCrafter model folder")
	private String report;

	@Override
	public void run() {
		List<String> problems = service.checkModelFolder(folder == null ? null : folder.toPath());
		if (!problems.isEmpty()) {
			fail("The model folder " + folder + " cannot be used: " + String.join("; ", problems));
			return;
		}
		try {
			service.setModelFolder(folder.toPath());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			fail("interrupted while waiting for the running generation; the model folder was not changed");
			return;
		}
		report = "StyleCrafter will use the model files in " + folder;
		if (log != null) log.info(report);
	}

	private void fail(String message) {
		UserMessages.fail(this, message, log);
	}
}
