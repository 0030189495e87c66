import asyncio
import io

from llm_router_local.stack_dump import TASKS_HEADER, dump_tasks


def test_each_task_is_shown_down_to_the_await_it_is_parked_on() -> None:
    async def inner(event: asyncio.Event) -> None:
        await event.wait()

    async def outer(event: asyncio.Event) -> None:
        await inner(event)

    async def main() -> str:
        event = asyncio.Event()
        task = asyncio.create_task(outer(event), name="parked")
        await asyncio.sleep(0)
        out = io.StringIO()
        dump_tasks(out)
        event.set()
        await task
        return out.getvalue()

    text = asyncio.run(main())
    assert text.startswith(TASKS_HEADER)
    parked = text[text.index("name='parked'"):]
    assert all(name in parked for name in ("in outer", "in inner", "in wait")), text
    assert parked.index("in outer") < parked.index("in inner") < parked.index("in wait")


def test_without_a_running_loop_it_says_so() -> None:
    out = io.StringIO()
    dump_tasks(out)
    assert out.getvalue() == "asyncio tasks: no event loop is running in the main thread\n"
