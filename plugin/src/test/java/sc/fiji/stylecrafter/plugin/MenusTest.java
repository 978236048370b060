package sc.fiji.stylecrafter.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.MenuEntry;

/** Plugins > StyleCrafter in three separated groups (generate, results, set-up), with names unique across Fiji. */
class MenusTest {

	@Test
	void theMenuIsGroupedAndItsGenericNamesCarryOurs() {
		try (Context context = new Context(CommandService.class)) {
			List<CommandInfo> ours = context.service(CommandService.class).getCommands().stream()
				.filter(c -> c.getMenuPath().size() == 3 && c.getMenuPath().get(1).getName().equals(Menus.STYLECRAFTER))
				.sorted(Comparator.comparingDouble(c -> c.getMenuPath().getLeaf().getWeight())).toList();
			List<String> names = ours.stream().map(c -> c.getMenuPath().getLeaf().getName()).toList();
			assertEquals(List.of("Stylize Video from Reference", "Style-Guided Image", "Export Video (StyleCrafter)...", "Batch from List (StyleCrafter)...",
				"Score Results (StyleCrafter)...", "Set Up Models...", "Set Model Folder...", "Install GPU Runtime...", "Runtime Status..."), names);
			// ImageJ draws a separator where the weight jumps by more than 1: exactly between the three groups
			int separators = 0;
			for (int i = 1; i < ours.size(); i++) {
				MenuEntry a = ours.get(i - 1).getMenuPath().getLeaf(), b = ours.get(i).getMenuPath().getLeaf();
				if (Math.abs(b.getWeight() - a.getWeight()) > 1) separators++;
			}
			assertEquals(2, separators, names.toString());
		}
	}
}
