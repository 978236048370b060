package sc.fiji.stylecrafter.plugin;

import java.io.File;
import java.util.List;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

/**
 * Plugins > StyleCrafter > Set Model Folder...: remembers the folder with the model files after checking it, and says
 * exactly which file is missing or unreadable.
 */
@Plugin(type = Command.class, menuPath = "Plugins>StyleCrafter>Set Model Folder...", headless = true)
public class SetModelFolderCommand extends ContextCommand {

	@Parameter
	private StyleCrafterService service;

	@Parameter(label = "Model folder", style = FileWidget.DIRECTORY_STYLE,
		description = "Holds model.ckpt, adapter_v1.pth, temporal_v1_1.pth, open_clip_pytorch_model.bin and bpe_simple_vocab_16e6.txt.gz")
	private File folder;

	@Parameter(type = ItemIO.OUTPUT, label = "StyleCrafter model folder")
	private String report;

	@Override
	public void run() {
		List<String> problems = service.checkModelFolder(folder == null ? null : folder.toPath());
		if (!problems.isEmpty()) {
			cancel("The model folder " + folder + " cannot be used:\n- " + String.join("\n- ", problems));
			return;
		}
		service.unload();
		service.setModelFolder(folder.toPath());
		report = "StyleCrafter will use the model files in " + folder;
	}
}
